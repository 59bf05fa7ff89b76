package org.ddpm4j.core.metrics;

import java.util.Arrays;

/**
 * Two-sample distances between point clouds {@code X} (e.g. generated) and {@code Y} (e.g.
 * held-out data): zero in expectation when both come from one distribution, so the value for two
 * halves of the data is the floor a good model can reach.
 */
public final class SampleDistances {
    private SampleDistances() {
    }

    /**
     * The energy distance (Székely &amp; Rizzo): {@code 2 E|X - Y| - E|X - X'| - E|Y - Y'|}, with
     * unbiased (U-statistic) estimates of the within-sample terms. Zero iff the distributions agree.
     */
    public static double energyDistance(double[][] x, double[][] y) {
        return energyDistance(x, y, true);
    }

    /**
     * The energy distance estimated as a V-statistic (within-sample means over all pairs, the zero
     * diagonal included): biased upwards by about {@code E|X - X'| / n + E|Y - Y'| / m}, but never
     * negative, so the value for two samples of one distribution is a positive floor that others
     * can be compared with as a ratio.
     */
    public static double energyDistanceV(double[][] x, double[][] y) {
        return energyDistance(x, y, false);
    }

    private static double energyDistance(double[][] x, double[][] y, boolean unbiased) {
        return 2 * meanCross(x, y, SampleDistances::euclidean) - meanWithin(x, SampleDistances::euclidean, unbiased)
                - meanWithin(y, SampleDistances::euclidean, unbiased);
    }

    /**
     * The unbiased squared maximum mean discrepancy (Gretton et al. 2012) with the Gaussian kernel
     * {@code exp(-|a - b|^2 / (2 h^2))}, {@code h} the median distance of the pooled sample.
     */
    public static double mmdSquared(double[][] x, double[][] y) {
        return mmdSquared(x, y, true);
    }

    /** The squared MMD of {@link #mmdSquared} as a V-statistic: never negative (see {@link #energyDistanceV}). */
    public static double mmdSquaredV(double[][] x, double[][] y) {
        return mmdSquared(x, y, false);
    }

    private static double mmdSquared(double[][] x, double[][] y, boolean unbiased) {
        double h = medianDistance(x, y);
        double gamma = 1 / (2 * h * h);
        Kernel k = (a, b) -> Math.exp(-gamma * squared(a, b));
        return meanWithin(x, k, unbiased) + meanWithin(y, k, unbiased) - 2 * meanCross(x, y, k);
    }

    /** The median of pairwise distances over the pooled sample (at most 1000 points of each). */
    static double medianDistance(double[][] x, double[][] y) {
        double[][] pooled = new double[Math.min(x.length, 1000) + Math.min(y.length, 1000)][];
        System.arraycopy(x, 0, pooled, 0, Math.min(x.length, 1000));
        System.arraycopy(y, 0, pooled, Math.min(x.length, 1000), Math.min(y.length, 1000));
        int n = pooled.length;
        double[] d = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                d[k++] = euclidean(pooled[i], pooled[j]);
            }
        }
        Arrays.sort(d);
        double median = d.length == 0 ? 1 : d[d.length / 2];
        return median > 0 ? median : 1;
    }

    @FunctionalInterface
    private interface Kernel {
        double apply(double[] a, double[] b);
    }

    private static double meanCross(double[][] x, double[][] y, Kernel k) {
        double s = 0;
        for (double[] a : x) {
            for (double[] b : y) {
                s += k.apply(a, b);
            }
        }
        return s / ((double) x.length * y.length);
    }

    /** The mean of k over pairs of distinct points (unbiased), or over all n^2 pairs, the diagonal included. */
    private static double meanWithin(double[][] x, Kernel k, boolean unbiased) {
        if (x.length < 2) {
            throw new IllegalArgumentException("need at least two points per sample");
        }
        double s = 0;
        double diagonal = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                s += k.apply(x[i], x[j]);
            }
            diagonal += unbiased ? 0 : k.apply(x[i], x[i]);
        }
        double n = x.length;
        return unbiased ? 2 * s / (n * (n - 1)) : (2 * s + diagonal) / (n * n);
    }

    private static double squared(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    private static double euclidean(double[] a, double[] b) {
        return Math.sqrt(squared(a, b));
    }
}
