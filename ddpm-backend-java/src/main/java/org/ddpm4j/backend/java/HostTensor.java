package org.ddpm4j.backend.java;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;

/** A tensor of the {@link JavaBackend}: a row-major {@code double[]} and a shape. */
final class HostTensor implements Tensor {
    private final JavaBackend backend;
    private final int[] shape;
    private double[] data;

    HostTensor(JavaBackend backend, double[] data, int[] shape) {
        this.backend = backend;
        this.data = data;
        this.shape = shape;
    }

    double[] data() {
        if (data == null) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape)
                    + " used after it was closed (was it created in a scope that has ended without keep()?)");
        }
        return data;
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

    @Override
    public long size() {
        return data().length;
    }

    private HostTensor map(DoubleUnaryOperator f) {
        double[] a = data();
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = f.applyAsDouble(a[i]);
        }
        return backend.create(r, shape);
    }

    private HostTensor zip(Tensor other, DoubleBinaryOperator f) {
        double[] a = data();
        double[] b = backend.host(other).data();
        if (!Arrays.equals(shape, other.shape())) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(shape) + " and " + Arrays.toString(other.shape()));
        }
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = f.applyAsDouble(a[i], b[i]);
        }
        return backend.create(r, shape);
    }

    @Override
    public Tensor add(Tensor other) {
        return zip(other, Double::sum);
    }

    @Override
    public Tensor sub(Tensor other) {
        return zip(other, (x, y) -> x - y);
    }

    @Override
    public Tensor mul(Tensor other) {
        return zip(other, (x, y) -> x * y);
    }

    @Override
    public Tensor div(Tensor other) {
        return zip(other, (x, y) -> x / y);
    }

    @Override
    public Tensor add(double c) {
        return map(x -> x + c);
    }

    @Override
    public Tensor mul(double c) {
        return map(x -> x * c);
    }

    @Override
    public Tensor linear(double a, Tensor other, double b) {
        return zip(other, (x, y) -> a * x + b * y);
    }

    @Override
    public Tensor mulPerSample(double[] factors) {
        double[] a = data();
        checkPerSample(factors);
        int d = a.length / shape[0];
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] * factors[i / d];
        }
        return backend.create(r, shape);
    }

    @Override
    public Tensor sqrt() {
        return map(Math::sqrt);
    }

    @Override
    public Tensor square() {
        return map(x -> x * x);
    }

    @Override
    public Tensor abs() {
        return map(Math::abs);
    }

    @Override
    public Tensor exp() {
        return map(Math::exp);
    }

    @Override
    public Tensor clamp(double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp range [" + min + ", " + max + "] is empty");
        }
        return map(x -> Math.max(min, Math.min(max, x)));
    }

    @Override
    public Tensor clampPerSample(double[] bounds) {
        double[] a = data();
        checkPerSample(bounds);
        int d = a.length / shape[0];
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double b = bounds[i / d];
            r[i] = Math.max(-b, Math.min(b, a[i]));
        }
        return backend.create(r, shape);
    }

    @Override
    public Tensor reshape(int... newShape) {
        if (Tensor.elementCount(newShape) != data().length) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return backend.create(data.clone(), newShape.clone());
    }

    @Override
    public Tensor slice(int from, int to) {
        if (from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") outside batch of " + shape[0]);
        }
        int d = data().length / shape[0];
        int[] s = shape.clone();
        s[0] = to - from;
        return backend.create(Arrays.copyOfRange(data, from * d, to * d), s);
    }

    @Override
    public double sum() {
        double s = 0;
        for (double v : data()) {
            s += v;
        }
        return s;
    }

    @Override
    public double[] sumPerSample() {
        double[] a = data();
        int d = a.length / shape[0];
        double[] r = new double[shape[0]];
        for (int i = 0; i < a.length; i++) {
            r[i / d] += a[i];
        }
        return r;
    }

    @Override
    public double[] absQuantilePerSample(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("quantile p = " + p + " outside [0, 1]");
        }
        double[] a = data();
        int d = a.length / shape[0];
        double[] r = new double[shape[0]];
        double[] row = new double[d];
        for (int i = 0; i < shape[0]; i++) {
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
        for (double v : data()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public float[] toFloatArray() {
        double[] a = data();
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) a[i];
        }
        return r;
    }

    @Override
    public double[] toDoubleArray() {
        return data().clone();
    }

    @Override
    public void close() {
        data = null;
    }

    private void checkPerSample(double[] values) {
        if (values.length != shape[0]) {
            throw new IllegalArgumentException(values.length + " per-sample values for a batch of " + shape[0]);
        }
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape);
    }
}
