package org.ddpm4j.toolkit.sampling;

/**
 * A noise level of the variance-preserving process {@code x_t = alpha_t x_0 + sigma_t eps}, given by
 * its signal scale {@code alpha_t} and noise scale {@code sigma_t} (DPM-Solver's notation). Samplers
 * that step in the variance-exploding {@code sigma = sigma_t / alpha_t} (k-diffusion, diffusers'
 * {@code sigmas}) build it with {@link #ofSigma}.
 */
public record NoiseLevel(double alpha, double sigma) {

    /** The level whose variance-exploding noise is {@code sigma}: {@code alpha = 1 / sqrt(1 + sigma^2)}. */
    public static NoiseLevel ofSigma(double sigma) {
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        return new NoiseLevel(alpha, sigma * alpha);
    }

    /** The level of {@code alphaBar}: {@code alpha = sqrt(alphaBar)}, {@code sigma = sqrt(1 - alphaBar)}. */
    public static NoiseLevel ofAlphaBar(double alphaBar) {
        return new NoiseLevel(Math.sqrt(alphaBar), Math.sqrt(1 - alphaBar));
    }

    /** The half log-SNR {@code lambda = log(alpha / sigma)} in which DPM-Solver and UniPC step. */
    public double lambda() {
        return Math.log(alpha) - Math.log(sigma);
    }
}
