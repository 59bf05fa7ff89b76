package org.ddpm4j.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.function.BinaryOperator;
import org.ddpm4j.api.tensor.Tensor;

/**
 * A {@link Tensor} over a float32 DJL {@link NDArray}. Results go into the calling thread's
 * innermost {@linkplain DjlBackend#openScope() scope}; temporaries made inside one operation are
 * closed before it returns, so that operations outside any scope do not accumulate memory either.
 */
final class DjlTensor implements Tensor {
    private final DjlBackend backend;
    private final NDArray array;
    private final int[] shape;

    DjlTensor(DjlBackend backend, NDArray array) {
        this.backend = backend;
        this.array = array;
        long[] s = array.getShape().getShape();
        this.shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
    }

    NDArray array() {
        if (!array.isReleased()) {
            return array;
        }
        throw new IllegalStateException("tensor " + Arrays.toString(shape)
                + " used after it was closed (was it created in a scope that has ended without keep()?)");
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public DjlBackend backend() {
        return backend;
    }

    @Override
    public int batchSize() {
        return shape[0];
    }

    @Override
    public int rank() {
        return shape.length;
    }

    private NDArray other(Tensor other) {
        NDArray b = backend.array(other);
        if (!Arrays.equals(shape, ((DjlTensor) other).shape)) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(shape) + " and " + Arrays.toString(other.shape()));
        }
        return b;
    }

    private Tensor zip(Tensor other, BinaryOperator<NDArray> op) {
        return backend.wrap(op.apply(array(), other(other)));
    }

    @Override
    public Tensor add(Tensor other) {
        return zip(other, NDArray::add);
    }

    @Override
    public Tensor sub(Tensor other) {
        return zip(other, NDArray::sub);
    }

    @Override
    public Tensor mul(Tensor other) {
        return zip(other, NDArray::mul);
    }

    @Override
    public Tensor div(Tensor other) {
        return zip(other, NDArray::div);
    }

    @Override
    public Tensor add(double c) {
        return backend.wrap(array().add((float) c));
    }

    @Override
    public Tensor mul(double c) {
        return backend.wrap(array().mul((float) c));
    }

    @Override
    public Tensor linear(double a, Tensor other, double b) {
        NDArray y = other(other);
        try (NDArray by = y.mul((float) b)) {
            return backend.wrap(array().mul((float) a).addi(by));
        }
    }

    /** A per-sample column {@code [n, 1, ..., 1]} that broadcasts over the other axes. */
    private NDArray perSample(double[] values) {
        if (values.length != shape[0]) {
            throw new IllegalArgumentException(values.length + " per-sample values for a batch of " + shape[0]);
        }
        long[] s = new long[shape.length];
        Arrays.fill(s, 1);
        s[0] = shape[0];
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return array().getManager().create(f, new Shape(s));
    }

    @Override
    public Tensor mulPerSample(double[] factors) {
        try (NDArray f = perSample(factors)) {
            return backend.wrap(array().mul(f));
        }
    }

    @Override
    public Tensor sqrt() {
        return backend.wrap(array().sqrt());
    }

    @Override
    public Tensor square() {
        return backend.wrap(array().square());
    }

    @Override
    public Tensor abs() {
        return backend.wrap(array().abs());
    }

    @Override
    public Tensor exp() {
        return backend.wrap(array().exp());
    }

    @Override
    public Tensor clamp(double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp range [" + min + ", " + max + "] is empty");
        }
        return backend.wrap(array().clip((float) min, (float) max));
    }

    @Override
    public Tensor clampPerSample(double[] bounds) {
        try (NDArray hi = perSample(bounds); NDArray lo = hi.neg(); NDArray below = array().minimum(hi)) {
            return backend.wrap(below.maximum(lo));
        }
    }

    @Override
    public Tensor reshape(int... newShape) {
        long n = 1;
        for (int s : newShape) {
            n *= s;
        }
        if (n != size() || Arrays.stream(newShape).anyMatch(s -> s < 0)) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return backend.wrap(array().reshape(DjlBackend.toLong(newShape)));
    }

    @Override
    public Tensor slice(int from, int to) {
        if (from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") outside batch of " + shape[0]);
        }
        return backend.wrap(array().get(new NDIndex().addSliceDim(from, to)));
    }

    @Override
    public double sum() {
        try (NDArray wide = array().toType(DataType.FLOAT64, false); NDArray s = wide.sum()) {
            return s.getDouble();
        }
    }

    @Override
    public double[] sumPerSample() {
        try (NDArray rows = array().reshape(shape[0], -1); NDArray wide = rows.toType(DataType.FLOAT64, false);
             NDArray s = wide.sum(new int[] {1})) {
            return s.toDoubleArray();
        }
    }

    @Override
    public double[] absQuantilePerSample(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("quantile p = " + p + " outside [0, 1]");
        }
        int n = shape[0];
        int d = sampleSize();
        float[] sorted;
        try (NDArray rows = array().reshape(n, d); NDArray abs = rows.abs(); NDArray s = abs.sort(1)) {
            sorted = s.toFloatArray();
        }
        double pos = p * (d - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, d - 1);
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            double a = sorted[i * d + lo];
            r[i] = a + (pos - lo) * (sorted[i * d + hi] - a);
        }
        return r;
    }

    @Override
    public boolean isFinite() {
        // max propagates NaN, and |x| is infinite exactly when x is.
        try (NDArray abs = array().abs(); NDArray max = abs.max()) {
            return Float.isFinite(max.getFloat());
        }
    }

    @Override
    public float[] toFloatArray() {
        return array().toFloatArray();
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
        array.close();
    }

    @Override
    public String toString() {
        return "DjlTensor" + Arrays.toString(shape) + "@" + backend.device();
    }
}
