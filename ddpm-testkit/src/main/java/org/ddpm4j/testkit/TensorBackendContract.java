package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link TensorBackend}: every {@link Tensor} operation checked against a plain
 * Java computation made here, on batches of points ({@code [n, d]}) and of images
 * ({@code [n, c, h, w]}). Extend it and supply the backend; override {@link #tolerance()} for
 * reduced precision.
 */
public abstract class TensorBackendContract {
    private static final int[] POINTS = {5, 3};
    private static final int[] IMAGES = {3, 2, 4, 4};

    protected TensorBackend backend;

    /** A fresh backend; closed after each test. */
    protected abstract TensorBackend createBackend();

    /** Relative tolerance of elementwise results: float32 backends need about 1e-6. */
    protected double tolerance() {
        return 2e-6;
    }

    @BeforeEach
    void openBackend() {
        backend = createBackend();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private static double[] values(int[] shape, long seed) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double[] v = new GaussianNoise(seed).nextDoubles(n);
        for (int i = 0; i < n; i++) {
            v[i] = (float) (v[i] * 1.7 + 0.3); // exactly representable in float32
        }
        return v;
    }

    private static double[] positive(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) (Math.abs(v[i]) + 0.25);
        }
        return r;
    }

    private void assertClose(double[] expected, Tensor actual, int[] shape, String what) {
        assertArrayEquals(shape, actual.shape(), what + ": shape");
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + ": size");
        for (int i = 0; i < a.length; i++) {
            double tol = tolerance() * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], a[i], tol, what + " at element " + i);
        }
    }

    private void checkUnary(String what, Function<Tensor, Tensor> op, DoubleUnaryOperator ref, boolean positiveInput) {
        for (int[] shape : List.of(POINTS, IMAGES)) {
            double[] x = values(shape, 1);
            if (positiveInput) {
                x = positive(x);
            }
            double[] expected = Arrays.stream(x).map(ref).toArray();
            assertClose(expected, op.apply(backend.fromHost(x, shape)), shape, what);
        }
    }

    private void checkBinary(String what, java.util.function.BinaryOperator<Tensor> op, DoubleBinaryOperator ref, boolean positiveRight) {
        for (int[] shape : List.of(POINTS, IMAGES)) {
            double[] x = values(shape, 1);
            double[] y = values(shape, 2);
            if (positiveRight) {
                y = positive(y);
            }
            double[] expected = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = ref.applyAsDouble(x[i], y[i]);
            }
            assertClose(expected, op.apply(backend.fromHost(x, shape), backend.fromHost(y, shape)), shape, what);
        }
    }

    @Test
    public void roundTripsHostData() {
        double[] x = values(IMAGES, 3);
        Tensor t = backend.fromHost(x, IMAGES);
        assertClose(x, t, IMAGES, "fromHost(double[])");
        float[] f = new float[x.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) x[i];
        }
        Tensor u = backend.fromHost(f, IMAGES);
        assertArrayEquals(f, u.toFloatArray(), "fromHost(float[]) / toFloatArray");
        assertEquals(IMAGES[0], t.batchSize());
        assertEquals(x.length, t.size());
        assertEquals(x.length / IMAGES[0], t.sampleSize());
        assertEquals(4, t.rank());
        assertArrayEquals(IMAGES, t.toHost().shape());
    }

    @Test
    public void makesZeros() {
        Tensor z = backend.zeros(POINTS);
        assertClose(new double[15], z, POINTS, "zeros");
    }

    @Test
    public void elementwiseArithmetic() {
        checkBinary("add", Tensor::add, Double::sum, false);
        checkBinary("sub", Tensor::sub, (a, b) -> a - b, false);
        checkBinary("mul", Tensor::mul, (a, b) -> a * b, false);
        checkBinary("div", Tensor::div, (a, b) -> a / b, true);
        checkBinary("linear", (a, b) -> a.linear(0.75, b, -1.25), (a, b) -> 0.75 * a - 1.25 * b, false);
    }

    @Test
    public void scalarArithmetic() {
        checkUnary("add(c)", t -> t.add(0.625), v -> v + 0.625, false);
        checkUnary("sub(c)", t -> t.sub(0.625), v -> v - 0.625, false);
        checkUnary("mul(c)", t -> t.mul(-1.5), v -> v * -1.5, false);
        checkUnary("div(c)", t -> t.div(4.0), v -> v / 4.0, false);
        checkUnary("neg", Tensor::neg, v -> -v, false);
    }

    @Test
    public void elementwiseFunctions() {
        checkUnary("sqrt", Tensor::sqrt, Math::sqrt, true);
        checkUnary("square", Tensor::square, v -> v * v, false);
        checkUnary("abs", Tensor::abs, Math::abs, false);
        checkUnary("exp", Tensor::exp, Math::exp, false);
        checkUnary("clamp", t -> t.clamp(-0.5, 1.0), v -> Math.max(-0.5, Math.min(1.0, v)), false);
    }

    @Test
    public void perSampleOperations() {
        for (int[] shape : List.of(POINTS, IMAGES)) {
            double[] x = values(shape, 4);
            int n = shape[0];
            int d = x.length / n;
            double[] factors = new double[n];
            for (int i = 0; i < n; i++) {
                factors[i] = 0.5 + i;
            }
            double[] scaled = new double[x.length];
            double[] clamped = new double[x.length];
            double[] sums = new double[n];
            for (int i = 0; i < x.length; i++) {
                scaled[i] = x[i] * factors[i / d];
                double b = factors[i / d] * 0.5;
                clamped[i] = Math.max(-b, Math.min(b, x[i]));
                sums[i / d] += x[i];
            }
            Tensor t = backend.fromHost(x, shape);
            assertClose(scaled, t.mulPerSample(factors), shape, "mulPerSample");
            double[] bounds = Arrays.stream(factors).map(f -> f * 0.5).toArray();
            assertClose(clamped, t.clampPerSample(bounds), shape, "clampPerSample");
            assertArrayEquals(sums, t.sumPerSample(), tolerance() * d * 4, "sumPerSample");
            assertThrows(IllegalArgumentException.class, () -> t.mulPerSample(new double[n + 1]), "wrong number of factors");
        }
    }

    @Test
    public void reductions() {
        double[] x = values(IMAGES, 5);
        Tensor t = backend.fromHost(x, IMAGES);
        double sum = Arrays.stream(x).sum();
        assertEquals(sum, t.sum(), tolerance() * x.length * 4);
        assertEquals(sum / x.length, t.mean(), tolerance() * 4);
    }

    @Test
    public void absoluteQuantilesPerSampleInterpolateLikeTorch() {
        for (int[] shape : List.of(POINTS, IMAGES)) {
            double[] x = values(shape, 6);
            int n = shape[0];
            int d = x.length / n;
            for (double p : new double[] {0.0, 0.5, 0.9, 0.995, 1.0}) {
                double[] expected = new double[n];
                for (int i = 0; i < n; i++) {
                    double[] row = new double[d];
                    for (int j = 0; j < d; j++) {
                        row[j] = Math.abs(x[i * d + j]);
                    }
                    Arrays.sort(row);
                    double pos = p * (d - 1);
                    int lo = (int) Math.floor(pos);
                    int hi = Math.min(lo + 1, d - 1);
                    expected[i] = row[lo] + (pos - lo) * (row[hi] - row[lo]);
                }
                assertArrayEquals(expected, backend.fromHost(x, shape).absQuantilePerSample(p), tolerance() * 8, "quantile " + p);
            }
        }
    }

    @Test
    public void reshapesSlicesAndConcatenates() {
        double[] x = values(IMAGES, 7);
        Tensor t = backend.fromHost(x, IMAGES);
        assertClose(x, t.reshape(3, 32), new int[] {3, 32}, "reshape");
        int d = 32;
        assertClose(Arrays.copyOfRange(x, d, 3 * d), t.slice(1, 3), new int[] {2, 2, 4, 4}, "slice");
        Tensor joined = backend.concat(List.of(t.slice(0, 1), t.slice(1, 3)));
        assertClose(x, joined, IMAGES, "concat");
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 7), "reshape to a different element count");
        assertThrows(IllegalArgumentException.class, () -> t.slice(2, 4), "slice beyond the batch");
        assertThrows(IllegalArgumentException.class,
                () -> backend.concat(List.of(t, backend.zeros(1, 2, 4, 3))), "concat of mismatched shapes");
    }

    @Test
    public void rejectsMismatchedShapes() {
        Tensor a = backend.zeros(POINTS);
        Tensor b = backend.zeros(5, 4);
        assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertThrows(IllegalArgumentException.class, () -> a.linear(1, b, 1));
        assertThrows(IllegalArgumentException.class, () -> backend.fromHost(new double[7], 2, 3));
    }

    @Test
    public void detectsNonFiniteValues() {
        double[] x = values(POINTS, 8);
        assertTrue(backend.fromHost(x, POINTS).isFinite());
        x[7] = Double.NaN;
        assertFalse(backend.fromHost(x, POINTS).isFinite(), "NaN");
        x[7] = Double.POSITIVE_INFINITY;
        assertFalse(backend.fromHost(x, POINTS).isFinite(), "+Inf");
        x[7] = Double.NEGATIVE_INFINITY;
        assertFalse(backend.fromHost(x, POINTS).isFinite(), "-Inf");
    }

    @Test
    public void noiseFromASeedIsTheSameOnEveryBackend() {
        float[] expected = new GaussianNoise(42).nextFloats(5 * 3);
        assertArrayEquals(expected, backend.randn(new GaussianNoise(42), POINTS).toFloatArray());
    }

    @Test
    public void keptTensorsOutliveTheirScope() {
        double[] x = values(POINTS, 9);
        Tensor kept;
        try (TensorScope outer = backend.openScope()) {
            try (TensorScope inner = backend.openScope()) {
                Tensor t = backend.fromHost(x, POINTS).mul(2.0);
                kept = inner.keep(t);
            }
            assertClose(Arrays.stream(x).map(v -> 2 * v).toArray(), kept, POINTS, "kept into the outer scope");
            kept = outer.keep(kept);
        }
        assertClose(Arrays.stream(x).map(v -> 2 * v).toArray(), kept, POINTS, "kept out of every scope");
    }

    @Test
    public void aLongLoopWithAScopePerStepComputesTheRightResult() {
        double[] x = values(POINTS, 10);
        Tensor state = backend.fromHost(x, POINTS);
        for (int step = 0; step < 200; step++) {
            try (TensorScope scope = backend.openScope()) {
                Tensor next = state.linear(0.99, state.square().add(1).sqrt(), 0.01);
                state = scope.keep(next);
            }
        }
        double[] expected = x.clone();
        for (int step = 0; step < 200; step++) {
            for (int i = 0; i < expected.length; i++) {
                expected[i] = 0.99 * expected[i] + 0.01 * Math.sqrt(expected[i] * expected[i] + 1);
            }
        }
        assertClose(expected, state, POINTS, "state after 200 scoped steps");
    }
}
