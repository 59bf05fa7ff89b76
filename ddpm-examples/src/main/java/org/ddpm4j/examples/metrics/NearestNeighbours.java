package org.ddpm4j.examples.metrics;

/**
 * Exact k-nearest-neighbour queries by brute force over a flat copy of the points. For the sizes
 * the metrics see (a few thousand points in 2-D) one pass over all pairs is a few milliseconds,
 * which a k-d tree would not beat by enough to pay for its code (see docs/BENCHMARKS.md). Distances
 * are squared Euclidean; ties go to the lower index, so results are reproducible.
 */
final class NearestNeighbours {
    private final double[] flat;
    private final int n;
    private final int d;

    NearestNeighbours(double[][] points) {
        this.n = points.length;
        if (n == 0) {
            throw new IllegalArgumentException("need at least one point");
        }
        this.d = points[0].length;
        this.flat = flatten(points, d);
    }

    int size() {
        return n;
    }

    /** The indices of the {@code k} nearest other points of every point, nearest first. */
    int[][] neighbourIndices(int k) {
        checkK(k);
        int[][] result = new int[n][];
        double[] best = new double[k];
        int[] bestIndex = new int[k];
        for (int i = 0; i < n; i++) {
            nearest(i, k, best, bestIndex);
            result[i] = bestIndex.clone();
        }
        return result;
    }

    /** The squared distance of every point to its {@code k}-th nearest other point: the squared radius of its k-NN ball. */
    double[] kthSquaredDistances(int k) {
        checkK(k);
        double[] result = new double[n];
        double[] best = new double[k];
        int[] bestIndex = new int[k];
        for (int i = 0; i < n; i++) {
            nearest(i, k, best, bestIndex);
            result[i] = best[k - 1];
        }
        return result;
    }

    /** Fills {@code best} (ascending squared distances) and {@code bestIndex} with the k nearest other points of point i. */
    private void nearest(int i, int k, double[] best, int[] bestIndex) {
        int found = 0;
        for (int j = 0; j < n; j++) {
            if (j == i) {
                continue;
            }
            double s = squared(flat, i, flat, j);
            if (found < k || s < best[k - 1]) {
                found = insert(best, bestIndex, found, k, s, j);
            }
        }
    }

    /**
     * For every query point, how many of these points' balls (centre point {@code i}, squared radius
     * {@code radii2[i]}, boundary included) contain it; with {@code stopAtOne} the count stops at 1,
     * which answers "inside the union of the balls?" sooner.
     */
    int[] ballsContaining(double[][] queries, double[] radii2, boolean stopAtOne) {
        if (radii2.length != n) {
            throw new IllegalArgumentException(radii2.length + " radii for " + n + " balls");
        }
        double[] q = flatten(queries, d);
        int[] counts = new int[queries.length];
        for (int a = 0; a < queries.length; a++) {
            int c = 0;
            for (int i = 0; i < n; i++) {
                if (squared(q, a, flat, i) <= radii2[i]) {
                    c++;
                    if (stopAtOne) {
                        break;
                    }
                }
            }
            counts[a] = c;
        }
        return counts;
    }

    /** For every ball (centre point {@code i}, squared radius {@code radii2[i]}), whether it contains any query point. */
    boolean[] ballsHit(double[][] queries, double[] radii2) {
        if (radii2.length != n) {
            throw new IllegalArgumentException(radii2.length + " radii for " + n + " balls");
        }
        double[] q = flatten(queries, d);
        boolean[] hit = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < queries.length && !hit[i]; a++) {
                hit[i] = squared(flat, i, q, a) <= radii2[i];
            }
        }
        return hit;
    }

    private void checkK(int k) {
        if (k < 1 || k >= n) {
            throw new IllegalArgumentException("k = " + k + " needs 1 <= k < number of points (" + n + ")");
        }
    }

    /** Inserts (s, j) into the sorted first {@code found} entries, keeping at most {@code k}; returns the new count. */
    private static int insert(double[] best, int[] bestIndex, int found, int k, double s, int j) {
        int p = Math.min(found, k - 1);
        while (p > 0 && best[p - 1] > s) {
            best[p] = best[p - 1];
            bestIndex[p] = bestIndex[p - 1];
            p--;
        }
        best[p] = s;
        bestIndex[p] = j;
        return Math.min(found + 1, k);
    }

    private double squared(double[] a, int i, double[] b, int j) {
        double s = 0;
        int ai = i * d;
        int bj = j * d;
        for (int c = 0; c < d; c++) {
            double t = a[ai + c] - b[bj + c];
            s += t * t;
        }
        return s;
    }

    private static double[] flatten(double[][] points, int d) {
        double[] f = new double[points.length * d];
        for (int i = 0; i < points.length; i++) {
            if (points[i].length != d) {
                throw new IllegalArgumentException("point " + i + " has " + points[i].length + " coordinates, expected " + d);
            }
            System.arraycopy(points[i], 0, f, i * d, d);
        }
        return f;
    }
}
