package org.ddpm4j.api.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShapesAndNoiseTest {

    @Test
    void elementCountsAreCheckedOnce() {
        assertEquals(1, Tensor.elementCount(new int[0]));
        assertEquals(64L * 28 * 28, Tensor.elementCount(new int[] {64, 28, 28}));
        assertEquals(0, Tensor.elementCount(new int[] {3, 0}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.elementCount(new int[] {2, -1}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.requireElementCount(new int[] {2, 3}, 5));
        Tensor.requireElementCount(new int[] {2, 3}, 6);
    }

    @Test
    void hostArraysCheckTheirShapeAndCopyIt() {
        int[] shape = {2, 2};
        HostArray a = new HostArray(shape, new float[] {1, 2, 3, 4});
        shape[0] = 9;
        assertArrayEquals(new int[] {2, 2}, a.shape());
        assertEquals(a, new HostArray(new int[] {2, 2}, new float[] {1, 2, 3, 4}));
        assertThrows(IllegalArgumentException.class, () -> new HostArray(new int[] {3}, new float[] {1, 2}));
    }

    @Test
    void noiseIsAPureFunctionOfSeedAndStep() {
        assertArrayEquals(new GaussianNoise(7).nextDoubles(5), new GaussianNoise(7).nextDoubles(5));
        assertArrayEquals(GaussianNoise.forStep(7, 3).nextDoubles(4), GaussianNoise.forStep(7, 3).nextDoubles(4));
        assertNotEquals(GaussianNoise.forStep(7, 3).next(), GaussianNoise.forStep(7, 4).next());
        double[] z = new GaussianNoise(1).nextDoubles(20000);
        double mean = 0;
        double second = 0;
        for (double v : z) {
            mean += v / z.length;
            second += v * v / z.length;
        }
        assertEquals(0, mean, 4 / Math.sqrt(z.length));
        assertEquals(1, second, 0.05);
    }
}
