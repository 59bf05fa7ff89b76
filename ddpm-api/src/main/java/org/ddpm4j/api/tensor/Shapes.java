package org.ddpm4j.api.tensor;

import java.util.Arrays;

/** Element counts of tensor shapes, checked once for every backend. */
public final class Shapes {
    private Shapes() {
    }

    /** The number of elements of {@code shape}; fails on a negative dimension. */
    public static long count(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        return n;
    }

    /** Fails unless {@code shape} holds exactly {@code length} elements. */
    public static void requireCount(int[] shape, long length) {
        long n = count(shape);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements but " + length + " were given");
        }
    }
}
