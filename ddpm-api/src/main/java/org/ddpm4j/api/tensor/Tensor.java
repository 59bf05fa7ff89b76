package org.ddpm4j.api.tensor;

import java.util.Arrays;

/**
 * An n-dimensional array of real numbers owned by a {@link TensorBackend}, batch first: axis 0
 * indexes the samples {@code x^(1..n)} of a batch, the other axes one sample (a point in
 * R^d, or an image C x H x W).
 *
 * <p>Tensors are immutable: every operation returns a new tensor. This is just enough algebra to
 * write the mathematics of diffusion (the forward process {@code sqrt(alphaBar) x0 + sqrt(1 - alphaBar) eps},
 * update rules, guidance, training targets) once for every backend. Elementwise operations between
 * two tensors require equal shapes; there is no general broadcasting, only the explicit per-sample
 * scaling of {@link #mulPerSample(double[])}.
 *
 * <p>Memory: a tensor created inside a {@link TensorScope} is released when the scope closes,
 * unless it was {@linkplain TensorScope#keep(Tensor) kept}. {@link #close()} releases it at once.
 */
public interface Tensor extends AutoCloseable {

    /** The shape; axis 0 is the batch. A copy. */
    int[] shape();

    /** The backend that owns this tensor. */
    TensorBackend backend();

    default int rank() {
        return shape().length;
    }

    /** Number of samples (size of axis 0). */
    default int batchSize() {
        return shape()[0];
    }

    /** Number of elements. */
    default long size() {
        long n = 1;
        for (int s : shape()) {
            n *= s;
        }
        return n;
    }

    /** Number of elements of one sample (the dimension d of the data). */
    default int sampleSize() {
        return Math.toIntExact(size() / batchSize());
    }

    Tensor add(Tensor other);

    Tensor sub(Tensor other);

    Tensor mul(Tensor other);

    Tensor div(Tensor other);

    Tensor add(double c);

    Tensor mul(double c);

    default Tensor sub(double c) {
        return add(-c);
    }

    default Tensor div(double c) {
        return mul(1.0 / c);
    }

    default Tensor neg() {
        return mul(-1.0);
    }

    /**
     * The linear combination {@code a * this + b * other}: the shape of nearly every update rule
     * ({@code x_{t-1} = c1 x_t + c2 eps}). Backends may fuse it into one kernel.
     */
    default Tensor linear(double a, Tensor other, double b) {
        return mul(a).add(other.mul(b));
    }

    /** Multiplies sample {@code i} (all of its elements) by {@code factors[i]}. */
    Tensor mulPerSample(double[] factors);

    Tensor sqrt();

    Tensor square();

    Tensor abs();

    Tensor exp();

    /** Clamps every element into {@code [min, max]}. */
    Tensor clamp(double min, double max);

    /** Clamps sample {@code i} into {@code [-bounds[i], bounds[i]]} (dynamic thresholding). */
    Tensor clampPerSample(double[] bounds);

    /** The same elements in a new shape (same element count, row-major order). */
    Tensor reshape(int... shape);

    /** Samples {@code from} (inclusive) to {@code to} (exclusive) of the batch. */
    Tensor slice(int from, int to);

    /** Sum of all elements. */
    double sum();

    default double mean() {
        return sum() / size();
    }

    /** Sum over each sample: entry {@code i} is the sum of the elements of sample {@code i}. */
    double[] sumPerSample();

    /**
     * For each sample, the {@code p}-quantile of the absolute values of its elements (linear
     * interpolation between order statistics, as {@code torch.quantile}): the statistic of Imagen's
     * dynamic thresholding.
     */
    double[] absQuantilePerSample(double p);

    /** True when no element is NaN or infinite. */
    boolean isFinite();

    /** The elements in row-major order, as float. */
    float[] toFloatArray();

    /** The elements in row-major order, as double. */
    double[] toDoubleArray();

    /** A host copy with its shape. */
    default HostArray toHost() {
        return new HostArray(shape(), toFloatArray());
    }

    /** Releases the tensor's memory now. Using it afterwards is an error. Idempotent. */
    @Override
    void close();

    /** Shapes for messages: {@code [64, 1, 28, 28]}. */
    static String describe(int[] shape) {
        return Arrays.toString(shape);
    }

    /** The number of elements of {@code shape}; fails on a negative dimension. */
    static long elementCount(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + describe(shape));
            }
            n *= s;
        }
        return n;
    }

    /** Fails unless {@code shape} holds exactly {@code length} elements. */
    static void requireElementCount(int[] shape, long length) {
        long n = elementCount(shape);
        if (n != length) {
            throw new IllegalArgumentException("shape " + describe(shape) + " holds " + n + " elements but " + length + " were given");
        }
    }
}
