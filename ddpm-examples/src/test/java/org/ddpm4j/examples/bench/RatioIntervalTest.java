package org.ddpm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RatioIntervalTest {

    @Test
    void anExactMultipleHasNoUncertainty() {
        double[] reference = {1, 4, 0.5, 9, 2};
        double[] candidate = new double[reference.length];
        for (int i = 0; i < reference.length; i++) {
            candidate[i] = reference[i] / 4;
        }
        RatioInterval r = RatioInterval.of(reference, candidate, 0.95, 500, 1);
        assertEquals(4, r.ratio(), 1e-12);
        assertEquals(4, r.low(), 1e-12);
        assertEquals(4, r.high(), 1e-12);
    }

    /**
     * Correlated heavy-tailed errors, as two solvers' on the same samples: the interval matches the
     * delta method's normal interval for a ratio of means, which an unpaired resampling (twice as wide
     * here) or a wrong quantile would miss.
     */
    @Test
    void matchesTheDeltaMethodOnCorrelatedSamples() {
        int n = 4000;
        SplittableRandom random = new SplittableRandom(7);
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            double shared = -Math.log(random.nextDouble());
            a[i] = 3 * shared + 0.3 * -Math.log(random.nextDouble());
            b[i] = shared + 0.3 * -Math.log(random.nextDouble());
        }
        double ma = mean(a);
        double mb = mean(b);
        double ratio = ma / mb;
        double va = 0;
        double vb = 0;
        double cov = 0;
        for (int i = 0; i < n; i++) {
            va += (a[i] - ma) * (a[i] - ma) / n;
            vb += (b[i] - mb) * (b[i] - mb) / n;
            cov += (a[i] - ma) * (b[i] - mb) / n;
        }
        double se = Math.sqrt((va - 2 * ratio * cov + ratio * ratio * vb) / n) / mb;
        RatioInterval r = RatioInterval.of(a, b, 0.95, 4000, 11);
        assertEquals(ratio, r.ratio(), 1e-12);
        double halfWidth = (r.high() - r.low()) / 2;
        assertEquals(1.96 * se, halfWidth, 0.1 * 1.96 * se, "half width against the delta method");
        assertTrue(r.low() < ratio && ratio < r.high());
    }

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        double[] sorted = {0, 1, 2, 3, 4};
        assertEquals(2, RatioInterval.quantile(sorted, 0.5), 1e-12);
        assertEquals(0.4, RatioInterval.quantile(sorted, 0.1), 1e-12);
        assertEquals(4, RatioInterval.quantile(sorted, 1), 1e-12);
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RatioInterval.of(new double[2], new double[3], 0.95, 100, 1));
        assertTrue(e.getMessage().contains("2 and 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RatioInterval.of(new double[2], new double[2], 1.5, 100, 1));
        assertTrue(e.getMessage().contains("level") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RatioInterval.of(new double[2], new double[2], 0.9, 3, 1));
        assertTrue(e.getMessage().contains("resamples") && e.getMessage().contains("3"), e.getMessage());
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
