package org.ddpm4j.samplers;

import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;

/**
 * How the noise levels of the inference steps are chosen between {@code sigma_min} and
 * {@code sigma_max} (diffusers' {@code use_karras_sigmas}, {@code use_exponential_sigmas},
 * {@code use_beta_sigmas}, {@code use_lu_lambdas}; at most one may be set).
 */
enum SigmaKind {
    /** The sigmas of the spaced timesteps. */
    TIMESTEPS,
    /** Karras et al. (2022) eq. 5, rho = 7. */
    KARRAS,
    /** Evenly spaced in log sigma. */
    EXPONENTIAL,
    /** Beta(0.6, 0.6) quantiles (Lee et al. 2024). */
    BETA,
    /** Evenly spaced in log-SNR (Lu et al. 2022; in sigma the same points as EXPONENTIAL). */
    LOG_SNR;

    /** Reads the flags; {@code use_lu_lambdas} only where {@code logSnr} is supported. */
    static SigmaKind read(Parameters p, boolean logSnr) {
        List<String> set = new ArrayList<>();
        SigmaKind kind = TIMESTEPS;
        String[] keys = logSnr
                ? new String[] {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas"}
                : new String[] {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas"};
        for (String key : keys) {
            if (p.getBoolean(key, false)) {
                set.add(key);
                kind = switch (key) {
                    case "use_karras_sigmas" -> KARRAS;
                    case "use_exponential_sigmas" -> EXPONENTIAL;
                    case "use_beta_sigmas" -> BETA;
                    default -> LOG_SNR;
                };
            }
        }
        if (set.size() > 1) {
            throw new InvalidParameterException(p.qualify(set.get(1)), true, "only one of " + String.join(", ", keys)
                    + " may be true; " + set.get(0) + " is true too");
        }
        return kind;
    }

    /** {@code n} descending noise levels from {@code sigmaMax} to {@code sigmaMin}. */
    double[] sigmas(double sigmaMin, double sigmaMax, int n) {
        return switch (this) {
            case KARRAS -> Sigmas.karras(sigmaMin, sigmaMax, n);
            case EXPONENTIAL, LOG_SNR -> Sigmas.exponential(sigmaMin, sigmaMax, n);
            case BETA -> Sigmas.beta(sigmaMin, sigmaMax, n);
            case TIMESTEPS -> throw new IllegalStateException("the sigmas of TIMESTEPS come from the timesteps");
        };
    }
}
