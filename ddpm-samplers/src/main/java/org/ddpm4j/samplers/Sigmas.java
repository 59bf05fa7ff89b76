package org.ddpm4j.samplers;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.ddpm4j.api.schedule.DiscreteSchedule;

/**
 * Noise levels in the variance-exploding {@code sigma = sqrt((1 - alphaBar) / alphaBar)} of
 * k-diffusion and diffusers: the table of a discrete schedule, and the step schedules that replace
 * evenly spaced timesteps (Karras et al. 2022 eq. 5, exponential, beta; Lu et al.'s uniform log-SNR).
 */
final class Sigmas {
    /** diffusers' stand-in for {@code alphaBar_{T-1} = 0} of a zero-terminal-SNR schedule, so that sigma stays finite. */
    static final double ZERO_SNR_ALPHA_BAR = 0x1p-24;

    private Sigmas() {
    }

    /** {@code sigma_t} for {@code t = 0 .. T-1}. */
    static double[] table(DiscreteSchedule schedule) {
        double[] s = new double[schedule.trainSteps()];
        for (int t = 0; t < s.length; t++) {
            double ab = schedule.alphaBar(t);
            ab = ab == 0 ? ZERO_SNR_ALPHA_BAR : ab;
            s[t] = Math.sqrt((1 - ab) / ab);
        }
        return s;
    }

    /** {@code np.interp(t, arange(T), table)}: sigma at a fractional time, linear between training steps. */
    static double interpolate(double[] table, double t) {
        if (t <= 0) {
            return table[0];
        }
        if (t >= table.length - 1) {
            return table[table.length - 1];
        }
        int j = (int) Math.floor(t);
        double slope = table[j + 1] - table[j];
        return slope * (t - j) + table[j];
    }

    static double[] interpolate(double[] table, double[] t) {
        double[] s = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            s[i] = interpolate(table, t[i]);
        }
        return s;
    }

    /**
     * diffusers' {@code _sigma_to_t}: the fractional time of {@code sigma}, interpolating
     * {@code log sigma} linearly between training steps (clamped to the table).
     */
    static double time(double[] table, double sigma) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int t = 0; t < table.length; t++) {
            if (logSigma - Math.log(table[t]) >= 0) {
                low = t;
            }
        }
        low = Math.min(low, table.length - 2);
        double lo = Math.log(table[low]);
        double hi = Math.log(table[low + 1]);
        double w = Math.max(0, Math.min(1, (lo - logSigma) / (lo - hi)));
        return (1 - w) * low + w * (low + 1);
    }

    /**
     * The inverse of {@link #interpolate(double[], double)}: the fractional time at which the
     * schedule's sigma, linear between training steps, is exactly {@code sigma} (clamped to the table).
     */
    static double exactTime(double[] table, double sigma) {
        if (sigma <= table[0]) {
            return 0;
        }
        for (int j = 0; j < table.length - 1; j++) {
            if (sigma <= table[j + 1]) {
                return j + (sigma - table[j]) / (table[j + 1] - table[j]);
            }
        }
        return table.length - 1;
    }

    static double[] times(double[] table, double[] sigmas) {
        double[] t = new double[sigmas.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = time(table, sigmas[i]);
        }
        return t;
    }

    /** Karras et al. (2022) eq. 5: {@code (sigma_max^(1/rho) + i/(n-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho}, rho = 7. */
    static double[] karras(double sigmaMin, double sigmaMax, int n) {
        double rho = 7;
        double minInv = Math.pow(sigmaMin, 1 / rho);
        double maxInv = Math.pow(sigmaMax, 1 / rho);
        double[] ramp = Spacing.linspace(0, 1, n);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.pow(maxInv + ramp[i] * (minInv - maxInv), rho);
        }
        return s;
    }

    /** Evenly spaced in {@code log sigma} from {@code sigma_max} down to {@code sigma_min}. */
    static double[] exponential(double sigmaMin, double sigmaMax, int n) {
        double[] s = Spacing.linspace(Math.log(sigmaMax), Math.log(sigmaMin), n);
        for (int i = 0; i < n; i++) {
            s[i] = Math.exp(s[i]);
        }
        return s;
    }

    /** Lee et al. (2024): quantiles of Beta(0.6, 0.6) between {@code sigma_min} and {@code sigma_max}. */
    static double[] beta(double sigmaMin, double sigmaMax, int n) {
        BetaDistribution beta = new BetaDistribution(null, 0.6, 0.6);
        double[] ramp = Spacing.linspace(0, 1, n);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = sigmaMin + beta.inverseCumulativeProbability(1 - ramp[i]) * (sigmaMax - sigmaMin);
        }
        return s;
    }
}
