package org.ddpm4j.core.metrics;

import java.io.Serializable;
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
        return energyDistance(sums(x, y, DISTANCE), unbiased);
    }

    /** The energy distance from the distance sums of two samples (e.g. added up over the blocks of a distributed sample). */
    public static double energyDistance(PairSums distances, boolean unbiased) {
        return 2 * distances.meanCross() - distances.meanWithinX(unbiased) - distances.meanWithinY(unbiased);
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
        return mmdSquared(sums(x, y, gaussian(medianDistance(x, y))), unbiased);
    }

    /** The squared MMD from the Gaussian-kernel sums of two samples, the bandwidth {@link #medianDistance} of their first points. */
    public static double mmdSquared(PairSums kernel, boolean unbiased) {
        return kernel.meanWithinX(unbiased) + kernel.meanWithinY(unbiased) - 2 * kernel.meanCross();
    }

    /** The median of pairwise distances over the pooled sample (the first 1000 points of each). */
    public static double medianDistance(double[][] x, double[][] y) {
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

    /** A symmetric kernel of two points and its value {@link #self} on a point and itself. */
    public interface Kernel extends Serializable {
        double apply(double[] a, double[] b);

        double self();
    }

    /** The Euclidean distance, the kernel of the energy distance. */
    public static final Kernel DISTANCE = new Kernel() {
        private static final long serialVersionUID = 1L;

        @Override
        public double apply(double[] a, double[] b) {
            return euclidean(a, b);
        }

        @Override
        public double self() {
            return 0;
        }
    };

    /** The Gaussian kernel {@code exp(-|a - b|^2 / (2 h^2))} of bandwidth {@code h}. */
    public static Kernel gaussian(double h) {
        double gamma = 1 / (2 * h * h);
        return new Kernel() {
            private static final long serialVersionUID = 1L;

            @Override
            public double apply(double[] a, double[] b) {
                return Math.exp(-gamma * squared(a, b));
            }

            @Override
            public double self() {
                return 1;
            }
        };
    }

    /**
     * Sums of a kernel over the pairs of two samples: within each (distinct pairs {@code i < j}) and
     * across. A sample split into blocks has the within-sum of its blocks plus the cross-sums of every
     * two blocks, so the sums add up over machines.
     */
    public record PairSums(long nx, long ny, double withinX, double withinY, double cross, double self) implements Serializable {
        public PairSums {
            if (nx < 2 || ny < 2) {
                throw new IllegalArgumentException("need at least two points per sample, got " + nx + " and " + ny);
            }
        }

        double meanCross() {
            return cross / ((double) nx * ny);
        }

        double meanWithinX(boolean unbiased) {
            return meanWithin(withinX, nx, unbiased);
        }

        double meanWithinY(boolean unbiased) {
            return meanWithin(withinY, ny, unbiased);
        }

        /** The mean over pairs of distinct points (unbiased), or over all n^2 pairs, the diagonal included. */
        private double meanWithin(double sum, double n, boolean unbiased) {
            return unbiased ? 2 * sum / (n * (n - 1)) : (2 * sum + n * self) / (n * n);
        }
    }

    /** The kernel sums of two whole samples. */
    public static PairSums sums(double[][] x, double[][] y, Kernel k) {
        return new PairSums(x.length, y.length, sumWithin(x, k), sumWithin(y, k), sumAcross(x, y, k), k.self());
    }

    /** {@code sum_{i<j} k(x_i, x_j)}. */
    public static double sumWithin(double[][] x, Kernel k) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                s += k.apply(x[i], x[j]);
            }
        }
        return s;
    }

    /** {@code sum_{i,j} k(x_i, y_j)}. */
    public static double sumAcross(double[][] x, double[][] y, Kernel k) {
        double s = 0;
        for (double[] a : x) {
            for (double[] b : y) {
                s += k.apply(a, b);
            }
        }
        return s;
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
