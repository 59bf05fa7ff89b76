package org.ddpm4j.examples.metrics;

import org.ddpm4j.core.metrics.SampleDistances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.tensor.GaussianNoise;
import org.junit.jupiter.api.Test;

/** The demo's quality numbers: about 1 times the floor for samples of the data's distribution, far more otherwise. */
class SampleQualityTest {

    static double[][] normal(int n, double shift, double scale, long seed) {
        GaussianNoise r = new GaussianNoise(seed);
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            p[i] = new double[] {shift + scale * r.next(), scale * r.next()};
        }
        return p;
    }

    @Test
    void samplesOfTheDataDistributionSitAtTheFloor() {
        SampleQuality q = SampleQuality.measure(normal(500, 0, 1, 1), normal(1000, 0, 1, 2));
        assertTrue(q.energy().floor() > 0 && q.mmd().floor() > 0, "V-statistics are positive");
        assertTrue(q.energy().ratio() > 0.5 && q.energy().ratio() < 2, "ratio " + q.energy().ratio());
        assertTrue(q.mmd().ratio() > 0.3 && q.mmd().ratio() < 3, "ratio " + q.mmd().ratio());
        assertEquals(500, q.toMap().get("samples"));
    }

    @Test
    void aShiftedOrNarrowerDistributionIsManyTimesTheFloor() {
        double[][] heldOut = normal(1000, 0, 1, 2);
        assertTrue(SampleQuality.measure(normal(500, 0.5, 1, 1), heldOut).energy().ratio() > 10);
        assertTrue(SampleQuality.measure(normal(500, 0, 0.6, 1), heldOut).energy().ratio() > 5);
        assertTrue(SampleQuality.measure(normal(500, 0.5, 1, 1), heldOut).mmd().ratio() > 10);
    }

    @Test
    void theVStatisticExceedsTheUnbiasedEstimateByTheWithinSampleMeans() {
        double[][] a = normal(200, 0, 1, 3);
        double[][] b = normal(300, 0.2, 1, 4);
        assertTrue(SampleDistances.energyDistanceV(a, b) > SampleDistances.energyDistance(a, b));
        assertTrue(SampleDistances.mmdSquaredV(a, b) > SampleDistances.mmdSquared(a, b));
    }

    @Test
    void theNeighbourMetricsSeeAThinSpreadThatTheGlobalDistancesHardlySee() {
        double[][] heldOut = NeighbourMetricsTest.moons(4000, 1, 3);
        SampleQuality thin = SampleQuality.measure(NeighbourMetricsTest.moons(2000, 0.5, 4), heldOut);
        SampleQuality same = SampleQuality.measure(NeighbourMetricsTest.moons(2000, 1, 4), heldOut);
        // moons with half the noise: the C2ST is 0.60 against a floor of 0.51 (its null sd at 4,000 pooled
        // points is about 0.008), recall 0.86 against 0.99 ...
        assertTrue(thin.c2st().value() - thin.c2st().floor() > 0.05, thin.toMap().toString());
        assertTrue(thin.recall().floor() - thin.recall().value() > 0.05, thin.toMap().toString());
        assertTrue(Math.abs(same.c2st().value() - same.c2st().floor()) < 0.03, same.toMap().toString());
        // ... while the energy distance and MMD² ratios (1.24 and 1.10) stay within the spread of
        // those of a sample of the data itself (1.16 and 1.11 here)
        assertTrue(thin.energy().ratio() < 1.5 && same.energy().ratio() < 1.5, thin.toMap() + " " + same.toMap());
        assertTrue(Math.abs(thin.mmd().ratio() - same.mmd().ratio()) < 0.2, thin.toMap() + " " + same.toMap());
    }

    @Test
    void needsTwiceAsManyHeldOutPoints() {
        assertThrows(IllegalArgumentException.class, () -> SampleQuality.measure(normal(500, 0, 1, 1), normal(999, 0, 1, 2)));
    }
}
