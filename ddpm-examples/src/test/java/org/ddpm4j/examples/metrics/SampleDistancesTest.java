package org.ddpm4j.examples.metrics;

import org.ddpm4j.core.metrics.SampleDistances;
import org.ddpm4j.core.metrics.FrechetDistance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.examples.data.Toy2d;
import org.junit.jupiter.api.Test;

class SampleDistancesTest {

    private static double[][] normal(int n, double mean, long seed) {
        GaussianNoise g = new GaussianNoise(seed);
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {mean + g.next()};
        }
        return x;
    }

    /** E|Z| for Z ~ N(m, s^2). */
    private static double meanAbs(double m, double s) {
        return s * Math.sqrt(2 / Math.PI) * Math.exp(-m * m / (2 * s * s)) + m * (1 - 2 * new NormalDistribution().cumulativeProbability(-m / s));
    }

    @Test
    void energyDistanceMatchesTheClosedFormForShiftedNormals() {
        double shift = 0.8;
        double expected = 2 * meanAbs(shift, Math.sqrt(2)) - 2 * meanAbs(0, Math.sqrt(2));
        double estimate = SampleDistances.energyDistance(normal(2000, 0, 1), normal(2000, shift, 2));
        assertEquals(expected, estimate, 0.02);
    }

    @Test
    void twoSamplesOfOneDistributionAreCloseToZeroAndDifferentOnesAreNot() {
        double[][] a = Toy2d.MOONS.sample(800, 1);
        double[][] b = Toy2d.MOONS.sample(800, 2);
        double[][] c = Toy2d.CHECKERBOARD.sample(800, 3);
        double same = SampleDistances.energyDistance(a, b);
        double different = SampleDistances.energyDistance(a, c);
        assertTrue(Math.abs(same) < 0.01, "same distribution: " + same);
        assertTrue(different > 10 * Math.abs(same) && different > 0.05, "different distributions: " + different);
        double mmdSame = SampleDistances.mmdSquared(a, b);
        double mmdDifferent = SampleDistances.mmdSquared(a, c);
        assertTrue(Math.abs(mmdSame) < 0.005 && mmdDifferent > 0.02, mmdSame + " vs " + mmdDifferent);
    }

    @Test
    void frechetDistanceMatchesTheClosedFormOfGaussians() {
        // N(mu1, diag(a)) vs N(mu2, diag(b)): |mu1 - mu2|^2 + sum (sqrt(a) - sqrt(b))^2
        GaussianNoise g = new GaussianNoise(9);
        int n = 20000;
        double[][] x = new double[n][];
        double[][] y = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {g.next() * 1.0, g.next() * 2.0, 1 + g.next() * 0.5};
            y[i] = new double[] {0.5 + g.next() * 1.5, g.next() * 2.0, 1 + g.next() * 1.0};
        }
        double expected = 0.25 + Math.pow(1 - 1.5, 2) + 0 + Math.pow(0.5 - 1.0, 2);
        assertEquals(expected, FrechetDistance.between(x, y), 0.03);
        assertEquals(0.0, FrechetDistance.between(x, x), 1e-9);
    }
}
