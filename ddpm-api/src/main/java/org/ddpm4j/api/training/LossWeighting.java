package org.ddpm4j.api.training;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.model.Parameterization;

/**
 * The per-sample weight {@code w(t)} of the regression loss {@code w(t) ||f_theta(x_t, t) - target||^2}.
 * Uniform weights with the epsilon target are Ho et al.'s {@code L_simple}.
 */
@FunctionalInterface
public interface LossWeighting {

    /** Weight 1 for every sample: {@code L_simple}. */
    LossWeighting UNIFORM = (snr, target) -> 1.0;

    /** The weight of a sample with signal-to-noise ratio {@code snr} whose target is {@code target}. */
    double weight(double snr, Parameterization target);

    /**
     * Min-SNR-gamma weighting (Hang et al. 2023): the x0-loss weight {@code min(SNR, gamma)}, expressed
     * for the model's target: {@code min(SNR, gamma) / SNR} for epsilon, {@code min(SNR, gamma)} for
     * x0, {@code min(SNR, gamma) / (SNR + 1)} for v and {@code min(SNR, gamma) / (sqrt(SNR) + 1)^2} for the
     * flow velocity ({@code x_0 = (x - sigma u) / (alpha + sigma)}).
     */
    static LossWeighting minSnr(double gamma) {
        Checks.positive("min_snr_gamma", gamma);
        return (snr, target) -> {
            double clipped = Math.min(snr, gamma);
            return switch (target) {
                case EPSILON, SCORE -> snr == 0 ? 1.0 : clipped / snr;
                case SAMPLE -> clipped;
                case V -> clipped / (snr + 1);
                case FLOW -> clipped / ((Math.sqrt(snr) + 1) * (Math.sqrt(snr) + 1));
            };
        };
    }
}
