package org.ddpm4j.examples.metrics;

/**
 * The classifier two-sample test (C2ST, Lopez-Paz &amp; Oquab 2017) with a k-nearest-neighbour
 * classifier evaluated leave-one-out: pool samples X and Y, label each point by its sample, and
 * predict every point's label by the majority of its {@code k} nearest other points. The accuracy is
 * about 0.5 (exactly {@link #nullExpectation}) when X and Y come from one distribution and grows
 * towards 1 as they differ in any way a neighbourhood can see: a missing mode, a shift, and also a
 * narrower or wider spread, which distances between the clouds' means (energy distance, MMD with a
 * wide kernel) hardly register.
 */
public final class KnnTwoSampleTest {
    /** The demo's k: odd, so that majorities never tie. */
    public static final int DEFAULT_K = 5;

    private final int[][] neighbours;
    private final int k;

    private KnnTwoSampleTest(double[][] pooled, int k) {
        if (k < 1 || k % 2 == 0) {
            throw new IllegalArgumentException("k = " + k + " must be odd and >= 1 (a majority of k neighbours)");
        }
        this.k = k;
        this.neighbours = new NearestNeighbours(pooled).neighbourIndices(k);
    }

    /** The leave-one-out accuracy of the k-NN classifier telling {@code x} from {@code y}. */
    public static double accuracy(double[][] x, double[][] y, int k) {
        boolean[] inY = new boolean[x.length + y.length];
        java.util.Arrays.fill(inY, x.length, inY.length, true);
        return pooled(x, y, k).accuracy(inY);
    }

    /**
     * The neighbours of the pooled points {@code x} then {@code y}, found once, for scoring any
     * labelling of them with {@link #accuracy(boolean[])} (a permutation test relabels at random).
     */
    static KnnTwoSampleTest pooled(double[][] x, double[][] y, int k) {
        if (x.length < 2 || y.length < 2) {
            throw new IllegalArgumentException("need at least two points per sample, got " + x.length + " and " + y.length);
        }
        double[][] all = new double[x.length + y.length][];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        return new KnnTwoSampleTest(all, k);
    }

    /** The fraction of pooled points whose label ({@code inY[i]}) the majority of their k neighbours predicts. */
    double accuracy(boolean[] inY) {
        if (inY.length != neighbours.length) {
            throw new IllegalArgumentException(inY.length + " labels for " + neighbours.length + " points");
        }
        int correct = 0;
        for (int i = 0; i < neighbours.length; i++) {
            int votesY = 0;
            for (int j : neighbours[i]) {
                votesY += inY[j] ? 1 : 0;
            }
            correct += (2 * votesY > k) == inY[i] ? 1 : 0;
        }
        return correct / (double) neighbours.length;
    }

    /**
     * The exact expected accuracy when X ({@code n} points) and Y ({@code m}) come from one
     * continuous distribution: the k neighbours of a point of X are then k draws without replacement
     * from the {@code n - 1} other points of X and the {@code m} of Y, so the vote is hypergeometric.
     * Slightly below 0.5 for {@code n = m}: leaving a point out makes its own sample the minority.
     */
    public static double nullExpectation(int n, int m, int k) {
        return (n * majority(n - 1, m, k) + m * majority(m - 1, n, k)) / (n + m);
    }

    /** P(more than k/2 of k draws without replacement from {@code same + other} items are from {@code same}). */
    private static double majority(int same, int other, int k) {
        double p = 0;
        for (int j = k / 2 + 1; j <= k; j++) {
            p += Math.exp(logChoose(same, j) + logChoose(other, k - j) - logChoose(same + other, k));
        }
        return p;
    }

    private static double logChoose(int n, int j) {
        if (j < 0 || j > n) {
            return Double.NEGATIVE_INFINITY;
        }
        double s = 0;
        for (int i = 0; i < j; i++) {
            s += Math.log(n - i) - Math.log(i + 1);
        }
        return s;
    }
}
