package org.ddpm4j.backend.djl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.ddpm4j.backend.djl.DjlEngine;
import org.junit.jupiter.api.Test;

/** The upsampling module (a transposed convolution on the CPU) against nearest upsampling written out. */
class FusedOpsTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 4;
    private static final int W = 5;

    @Test
    void upsamplingCopiesEachPixelIntoItsBlockAndItsGradientSumsTheBlock() {
        Random random = new Random(7);
        float[] x = new float[N * C * H * W];
        float[] upstream = new float[N * C * 4 * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < upstream.length; i++) {
            upstream[i] = (float) random.nextGaussian();
        }
        float[] expected = new float[upstream.length];
        float[] expectedGradient = new float[x.length];
        for (int p = 0; p < N * C; p++) {
            for (int i = 0; i < 2 * H; i++) {
                for (int j = 0; j < 2 * W; j++) {
                    int out = (p * 2 * H + i) * 2 * W + j;
                    int in = (p * H + i / 2) * W + j / 2;
                    expected[out] = x[in];
                    expectedGradient[in] += upstream[out];
                }
            }
        }
        try (NDManager m = DjlEngine.engine().newBaseManager();
             GradientCollector collector = DjlEngine.engine().newGradientCollector()) {
            NDArray input = m.create(x, new Shape(N, C, H, W));
            input.setRequiresGradient(true);
            NDArray y = FusedOps.upsampleNearest2x(input);
            assertEquals(new Shape(N, C, 2 * H, 2 * W), y.getShape());
            assertArrayEquals(expected, y.toFloatArray(), "nearest upsampling is a copy: exact");
            collector.backward(y.mul(m.create(upstream, y.getShape())).sum());
            assertArrayEquals(expectedGradient, input.getGradient().toFloatArray(), 1e-5f, "the gradient sums each 2x2 block");
        }
    }
}
