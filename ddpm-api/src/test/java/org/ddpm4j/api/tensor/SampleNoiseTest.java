package org.ddpm4j.api.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.junit.jupiter.api.Test;

class SampleNoiseTest {

    @Test
    void aSampleDrawsTheSameNumbersInAnyBatch() {
        SampleNoise whole = new SampleNoise(5, 0, 64, 3);
        float[] first = whole.nextFloats(6);
        float[] second = whole.nextFloats(4);
        for (int b = 0; b < 4; b++) {
            SampleNoise part = new SampleNoise(5, 16L * b, 16, 3);
            assertArrayEquals(Arrays.copyOfRange(first, b * 16 * 6, (b + 1) * 16 * 6), part.nextFloats(6), "batch " + b);
            assertArrayEquals(Arrays.copyOfRange(second, b * 16 * 4, (b + 1) * 16 * 4), part.nextFloats(4), "batch " + b + ", second draw");
        }
        // one sample alone, and the batch in reverse order: still the same rows
        assertArrayEquals(Arrays.copyOfRange(first, 37 * 6, 38 * 6), new SampleNoise(5, 37, 1, 3).nextFloats(6));
        assertArrayEquals(GaussianNoise.forSample(5, 63, 3).nextFloats(6), Arrays.copyOfRange(first, 63 * 6, 64 * 6));
    }

    @Test
    void seedIndexAndStepEachChangeTheNoise() {
        double base = GaussianNoise.forSample(5, 7, 2).next();
        assertNotEquals(base, GaussianNoise.forSample(6, 7, 2).next());
        assertNotEquals(base, GaussianNoise.forSample(5, 8, 2).next());
        assertNotEquals(base, GaussianNoise.forSample(5, 7, 3).next());
        assertNotEquals(base, GaussianNoise.forSample(5, 7, GaussianNoise.INITIAL_STEP).next());
        assertNotEquals(GaussianNoise.forStep(5, 2).next(), base);
    }

    @Test
    void rowsAndStepsAreIndependentStandardNormals() {
        // 4000 samples x 2 steps x 3 values: moments and the correlation between neighbouring rows and between steps
        int n = 4000;
        float[] a = new SampleNoise(11, 100, n, 0).nextFloats(3);
        float[] b = new SampleNoise(11, 100, n, 1).nextFloats(3);
        double mean = 0;
        double second = 0;
        double rows = 0;
        double steps = 0;
        for (int i = 0; i < a.length; i++) {
            mean += a[i] / (double) a.length;
            second += a[i] * a[i] / (double) a.length;
            steps += a[i] * b[i] / (double) a.length;
            if (i + 3 < a.length) {
                rows += a[i] * a[i + 3] / (double) (a.length - 3);
            }
        }
        double tolerance = 4 / Math.sqrt(a.length);
        assertEquals(0, mean, tolerance);
        assertEquals(1, second, 4 * Math.sqrt(2.0 / a.length));
        assertEquals(0, rows, tolerance, "neighbouring samples are uncorrelated");
        assertEquals(0, steps, tolerance, "steps are uncorrelated");
    }

    @Test
    void badIndicesAreRefusedByName() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> new SampleNoise(1, -1, 4, 0));
        assertEquals("firstIndex", e.parameter());
        assertTrue(e.getMessage().contains(">= 0"), e.getMessage());
        assertThrows(InvalidParameterException.class, () -> new SampleNoise(1, Long.MAX_VALUE - 2, 4, 0));
        assertEquals(3, new SampleNoise(1, Long.MAX_VALUE - 3, 3, 0).rows());
        assertThrows(IllegalArgumentException.class, () -> new SampleNoise(1, 0, 4, 0).randn(null, 5, 2));
    }
}
