package org.ddpm4j.examples.metrics;

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
    void needsTwiceAsManyHeldOutPoints() {
        assertThrows(IllegalArgumentException.class, () -> SampleQuality.measure(normal(500, 0, 1, 1), normal(999, 0, 1, 2)));
    }
}
