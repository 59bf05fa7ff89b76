package org.ddpm4j.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.junit.jupiter.api.Test;

/** Statistics split into parts and merged equal those of the whole, up to rounding. */
class MergeableMetricsTest {

    private static double[][] points(int n, int d, double offset, long seed) {
        GaussianNoise g = new GaussianNoise(seed);
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = offset + (j + 1) * g.next() + (j > 0 ? 0.5 * row[j - 1] : 0);
            }
        }
        return x;
    }

    @Test
    void mergedMomentsAreTheTwoPassMeanAndCovariance() {
        // a large offset: raw sums of squares would lose about 8 digits here, centred ones do not
        double[][] x = points(1000, 4, 1e4, 1);
        FeatureMoments whole = FeatureMoments.of(x);
        FeatureMoments merged = FeatureMoments.of(Arrays.copyOfRange(x, 0, 10))
                .merge(FeatureMoments.of(Arrays.copyOfRange(x, 10, 617)))
                .merge(new FeatureMoments(4))
                .merge(FeatureMoments.of(Arrays.copyOfRange(x, 617, 1000)));
        double[] mean = FrechetDistance.mean(x);
        double[][] covariance = FrechetDistance.covariance(x, mean).getData();
        assertEquals(1000, merged.count());
        assertArrayEquals(mean, merged.mean(), 1e-10);
        assertArrayEquals(mean, whole.mean(), 1e-10);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(covariance[i], merged.covariance()[i], 1e-9 * (i + 1) * (i + 1));
            assertArrayEquals(covariance[i], whole.covariance()[i], 1e-9 * (i + 1) * (i + 1));
        }
        assertThrows(IllegalArgumentException.class, () -> merged.add(new double[3]));
    }

    @Test
    void frechetDistanceOfMergedMomentsIsTheDistanceOfTheRows() {
        double[][] a = points(800, 3, 0, 2);
        double[][] b = points(500, 3, 0.3, 3);
        double rows = FrechetDistance.between(a, b);
        double moments = FrechetDistance.between(FeatureMoments.of(Arrays.copyOfRange(a, 0, 300)).merge(FeatureMoments.of(Arrays.copyOfRange(a, 300, 800))),
                FeatureMoments.of(b));
        assertEquals(rows, moments, 1e-10 * rows);
        assertEquals(0.3 * 0.3 * 3, rows, 0.6, "the mean shift dominates");
    }

    @Test
    void kernelSumsOverBlocksGiveTheEnergyDistanceAndMmdOfTheWhole() {
        double[][] x = points(300, 2, 0, 4);
        double[][] y = points(200, 2, 0.5, 5);
        double[][] x1 = Arrays.copyOfRange(x, 0, 120);
        double[][] x2 = Arrays.copyOfRange(x, 120, 300);
        for (boolean unbiased : new boolean[] {true, false}) {
            SampleDistances.Kernel d = SampleDistances.DISTANCE;
            SampleDistances.PairSums blocks = new SampleDistances.PairSums(300, 200,
                    SampleDistances.sumWithin(x1, d) + SampleDistances.sumWithin(x2, d) + SampleDistances.sumAcross(x1, x2, d),
                    SampleDistances.sumWithin(y, d), SampleDistances.sumAcross(x1, y, d) + SampleDistances.sumAcross(x2, y, d), d.self());
            double energy = unbiased ? SampleDistances.energyDistance(x, y) : SampleDistances.energyDistanceV(x, y);
            assertEquals(energy, SampleDistances.energyDistance(blocks, unbiased), 1e-12);

            SampleDistances.Kernel k = SampleDistances.gaussian(SampleDistances.medianDistance(x, y));
            SampleDistances.PairSums gaussian = new SampleDistances.PairSums(300, 200,
                    SampleDistances.sumWithin(x1, k) + SampleDistances.sumWithin(x2, k) + SampleDistances.sumAcross(x2, x1, k),
                    SampleDistances.sumWithin(y, k), SampleDistances.sumAcross(x2, y, k) + SampleDistances.sumAcross(x1, y, k), k.self());
            double mmd = unbiased ? SampleDistances.mmdSquared(x, y) : SampleDistances.mmdSquaredV(x, y);
            assertEquals(mmd, SampleDistances.mmdSquared(gaussian, unbiased), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> SampleDistances.energyDistance(new double[1][2], y));
    }
}
