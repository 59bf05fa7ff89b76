package org.ddpm4j.api.tensor;

import java.util.Arrays;

/**
 * A float array with a shape, in host memory: the neutral exchange format for weights, optimizer
 * state and checkpoints between backends (saved as NumPy arrays).
 */
public record HostArray(int[] shape, float[] data) {

    public HostArray {
        Tensor.requireElementCount(shape, data.length);
        shape = shape.clone();
    }

    /** A scalar (shape {@code []}). */
    public static HostArray scalar(float value) {
        return new HostArray(new int[0], new float[] {value});
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostArray h && Arrays.equals(shape, h.shape) && Arrays.equals(data, h.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostArray" + Arrays.toString(shape);
    }
}
