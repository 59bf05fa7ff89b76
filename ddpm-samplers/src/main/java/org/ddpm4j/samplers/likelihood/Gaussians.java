package org.ddpm4j.samplers.likelihood;

import org.apache.commons.math3.special.Erf;

/**
 * The closed forms the variational bound is made of, per coordinate, in nats and double precision
 * (Ho et al. 2020 eq. 5 and 13; Nichol &amp; Dhariwal 2021 section 3.1):
 * <ul>
 *   <li>{@link #normalKl}: {@code KL(N(m1, v1) || N(m2, v2))} of two one-dimensional Gaussians;</li>
 *   <li>{@link #discretizedLogLikelihood}: {@code log P(x)} of an 8-bit value {@code x} in
 *       {@code [-1, 1]} under the decoder {@code N(mu, v)} discretized to bins of width 2/255
 *       (the outermost bins open to infinity).</li>
 * </ul>
 * Variances are passed as logs, as learned-variance models produce them.
 */
public final class Gaussians {
    private static final double HALF_BIN = 1.0 / 255;
    private static final double EDGE = 1 - 1e-12;

    private Gaussians() {
    }

    /** {@code KL(N(mean1, exp(logVar1)) || N(mean2, exp(logVar2)))}. */
    public static double normalKl(double mean1, double logVar1, double mean2, double logVar2) {
        double d = mean1 - mean2;
        return 0.5 * (logVar2 - logVar1 + Math.exp(logVar1 - logVar2) + d * d * Math.exp(-logVar2) - 1);
    }

    /**
     * {@code log P(x)} for the 8-bit value {@code x} (in {@code [-1, 1]}) under the Gaussian
     * {@code N(mean, exp(logVar))} discretized to the bin {@code [x - 1/255, x + 1/255]}; the bins at
     * {@code -1} and {@code 1} extend to {@code -infinity} and {@code +infinity}.
     */
    public static double discretizedLogLikelihood(double x, double mean, double logVar) {
        double sd = Math.exp(0.5 * logVar);
        double lower = x <= -EDGE ? Double.NEGATIVE_INFINITY : (x - HALF_BIN - mean) / sd;
        double upper = x >= EDGE ? Double.POSITIVE_INFINITY : (x + HALF_BIN - mean) / sd;
        return Math.log(Math.max(binProbability(lower, upper), Double.MIN_NORMAL));
    }

    /** {@code Phi(b) - Phi(a)} for {@code a <= b}, from whichever tail keeps the digits. */
    public static double binProbability(double a, double b) {
        if (a > 0) {
            return upperTail(a) - upperTail(b);
        }
        return upperTail(-b) - upperTail(-a);
    }

    /** {@code 1 - Phi(z)}. */
    private static double upperTail(double z) {
        if (z == Double.POSITIVE_INFINITY) {
            return 0;
        }
        if (z == Double.NEGATIVE_INFINITY) {
            return 1;
        }
        return 0.5 * Erf.erfc(z / Math.sqrt(2));
    }
}
