package org.ddpm4j.backend.tf;

import java.util.Arrays;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.tensorflow.types.TFloat32;

/**
 * A tensor of the {@link TfBackend}: one concrete native float32 TensorFlow tensor and its shape.
 * Operations run small cached graphs ({@link Kernels}); {@link #close()} frees the native memory at
 * once, which the backend's scopes do for every temporary of a step.
 */
final class TfTensor implements Tensor {
    private final TfBackend backend;
    private final int[] shape;
    private TFloat32 value;

    TfTensor(TfBackend backend, TFloat32 value, int[] shape) {
        this.backend = backend;
        this.value = value;
        this.shape = shape;
    }

    /** The native tensor; fails once closed. */
    TFloat32 value() {
        if (value == null) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape)
                    + " used after it was closed (was it created in a scope that has ended without keep()?)");
        }
        return value;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public TensorBackend backend() {
        return backend;
    }

    @Override
    public int batchSize() {
        return shape[0];
    }

    private Kernels kernels() {
        return backend.kernels();
    }

    private TfTensor result(TFloat32 v) {
        return backend.wrap(v, shape);
    }

    /** The other operand of an elementwise operation, which must have this shape. */
    private TFloat32 same(Tensor other) {
        TfTensor o = backend.tensor(other);
        if (!Arrays.equals(shape, o.shape)) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(shape) + " and " + Arrays.toString(o.shape));
        }
        return o.value();
    }

    private void checkPerSample(double[] values) {
        if (values.length != shape[0]) {
            throw new IllegalArgumentException(values.length + " per-sample values for a batch of " + shape[0]);
        }
    }

    @Override
    public Tensor add(Tensor other) {
        return result(kernels().add(value(), same(other)));
    }

    @Override
    public Tensor sub(Tensor other) {
        return result(kernels().sub(value(), same(other)));
    }

    @Override
    public Tensor mul(Tensor other) {
        return result(kernels().mul(value(), same(other)));
    }

    @Override
    public Tensor div(Tensor other) {
        return result(kernels().div(value(), same(other)));
    }

    @Override
    public Tensor add(double c) {
        return result(kernels().addScalar(value(), c));
    }

    @Override
    public Tensor mul(double c) {
        return result(kernels().mulScalar(value(), c));
    }

    @Override
    public Tensor linear(double a, Tensor other, double b) {
        return result(kernels().linear(value(), a, same(other), b));
    }

    @Override
    public Tensor mulPerSample(double[] factors) {
        checkPerSample(factors);
        return result(kernels().mulPerSample(value(), factors));
    }

    @Override
    public Tensor sqrt() {
        return result(kernels().sqrt(value()));
    }

    @Override
    public Tensor square() {
        return result(kernels().square(value()));
    }

    @Override
    public Tensor abs() {
        return result(kernels().abs(value()));
    }

    @Override
    public Tensor exp() {
        return result(kernels().exp(value()));
    }

    @Override
    public Tensor clamp(double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp range [" + min + ", " + max + "] is empty");
        }
        return result(kernels().clamp(value(), min, max));
    }

    @Override
    public Tensor clampPerSample(double[] bounds) {
        checkPerSample(bounds);
        return result(kernels().clampPerSample(value(), bounds));
    }

    @Override
    public Tensor reshape(int... newShape) {
        if (Tensor.elementCount(newShape) != size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return backend.wrap(kernels().reshape(value(), newShape), newShape.clone());
    }

    @Override
    public Tensor slice(int from, int to) {
        if (from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") outside batch of " + shape[0]);
        }
        int[] s = shape.clone();
        s[0] = to - from;
        return backend.wrap(kernels().slice(value(), shape.length, from, to), s);
    }

    @Override
    public double sum() {
        return kernels().sum(value());
    }

    @Override
    public double[] sumPerSample() {
        return kernels().sumPerSample(value(), shape[0]);
    }

    /** Computed on the host from the elements: a sort per sample, as {@code torch.quantile}. */
    @Override
    public double[] absQuantilePerSample(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("quantile p = " + p + " outside [0, 1]");
        }
        float[] a = toFloatArray();
        int n = shape[0];
        int d = a.length / n;
        double[] r = new double[n];
        double[] row = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                row[j] = Math.abs(a[i * d + j]);
            }
            Arrays.sort(row);
            double pos = p * (d - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, d - 1);
            r[i] = row[lo] + (pos - lo) * (row[hi] - row[lo]);
        }
        return r;
    }

    @Override
    public boolean isFinite() {
        return kernels().isFinite(value());
    }

    @Override
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size())];
        value().asRawTensor().data().asFloats().read(out);
        return out;
    }

    @Override
    public double[] toDoubleArray() {
        float[] f = toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Override
    public void close() {
        if (value != null) {
            value.close();
            value = null;
            backend.released();
        }
    }

    @Override
    public String toString() {
        return "TfTensor" + Arrays.toString(shape);
    }
}
