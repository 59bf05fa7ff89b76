package org.ddpm4j.testkit;

import org.ddpm4j.api.tensor.GaussianNoise;

/**
 * The two-sample energy-distance test (Szekely &amp; Rizzo 2004): the statistic
 * {@code 2 E|X - Y| - E|X - X'| - E|Y - Y'|} is 0 exactly when the distributions agree; its p-value
 * comes from random relabellings of the pooled samples (seeded, so the test is deterministic). For
 * plugin tests that must show a sampler draws from the right distribution.
 */
public final class EnergyDistance {
    private EnergyDistance() {
    }

    /** The permutation p-value of H0 "x and y come from one distribution" (rows are points). */
    public static double pValue(double[][] x, double[][] y, int permutations, long seed) {
        int n = x.length;
        int m = y.length;
        double[][] pooled = new double[n + m][];
        System.arraycopy(x, 0, pooled, 0, n);
        System.arraycopy(y, 0, pooled, n, m);
        double[][] distance = new double[n + m][n + m];
        for (int i = 0; i < n + m; i++) {
            for (int j = i + 1; j < n + m; j++) {
                double s = 0;
                for (int k = 0; k < pooled[i].length; k++) {
                    double d = pooled[i][k] - pooled[j][k];
                    s += d * d;
                }
                distance[i][j] = distance[j][i] = Math.sqrt(s);
            }
        }
        int[] labels = new int[n + m];
        for (int i = 0; i < n + m; i++) {
            labels[i] = i;
        }
        double observed = statistic(distance, labels, n);
        GaussianNoise random = new GaussianNoise(seed);
        int atLeast = 0;
        for (int p = 0; p < permutations; p++) {
            for (int i = labels.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int tmp = labels[i];
                labels[i] = labels[j];
                labels[j] = tmp;
            }
            if (statistic(distance, labels, n) >= observed) {
                atLeast++;
            }
        }
        return (1.0 + atLeast) / (1.0 + permutations);
    }

    /** The energy statistic of the first {@code n} labels against the rest. */
    private static double statistic(double[][] distance, int[] labels, int n) {
        int m = labels.length - n;
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < labels.length; i++) {
            double[] row = distance[labels[i]];
            for (int j = 0; j < labels.length; j++) {
                double d = row[labels[j]];
                if (i < n && j < n) {
                    xx += d;
                } else if (i >= n && j >= n) {
                    yy += d;
                } else {
                    xy += d;
                }
            }
        }
        return xy / ((double) n * m) - xx / ((double) n * n) - yy / ((double) m * m);
    }
}
