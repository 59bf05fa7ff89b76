package org.ddpm4j.backend.tf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The tensor algebra of {@link TfTensor} as small graphs, built once per operation with
 * placeholders of unknown shape and run in one session. Every result is a concrete native tensor
 * that its owner closes: nothing accumulates, unlike eager results, which live until garbage
 * collection. Scalars are fed, so one graph serves every constant.
 */
final class Kernels implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Ops tf;
    private final Session session;
    private final Map<String, Kernel> kernels = new HashMap<>();

    /** The graph of one operation: its inputs in feeding order and its output. */
    private record Kernel(List<Placeholder<?>> inputs, Operand<?> output) {
    }

    /** Builds an operation's output from its placeholders. */
    @FunctionalInterface
    private interface Body {
        Operand<?> build(Ops tf, List<Placeholder<?>> in);
    }

    Kernels(TfSettings settings) {
        this.tf = Ops.create(graph).withDevice(settings.deviceSpec());
        this.session = new Session(graph, settings.sessionConfig());
    }

    TFloat32 add(TFloat32 x, TFloat32 y) {
        return run("add", (tf, in) -> tf.math.add(f32(in, 0), f32(in, 1)), x, y);
    }

    TFloat32 sub(TFloat32 x, TFloat32 y) {
        return run("sub", (tf, in) -> tf.math.sub(f32(in, 0), f32(in, 1)), x, y);
    }

    TFloat32 mul(TFloat32 x, TFloat32 y) {
        return run("mul", (tf, in) -> tf.math.mul(f32(in, 0), f32(in, 1)), x, y);
    }

    TFloat32 div(TFloat32 x, TFloat32 y) {
        return run("div", (tf, in) -> tf.math.div(f32(in, 0), f32(in, 1)), x, y);
    }

    /** {@code x + c}, computed in double precision and rounded once, like the host's arithmetic. */
    TFloat32 addScalar(TFloat32 x, double c) {
        try (TFloat64 s = TFloat64.scalarOf(c)) {
            return run("addScalar", (tf, in) -> single(tf, tf.math.add(f64(tf, in, 0), arg(in, 1))), x, s);
        }
    }

    /** {@code c x}, in double precision. */
    TFloat32 mulScalar(TFloat32 x, double c) {
        try (TFloat64 s = TFloat64.scalarOf(c)) {
            return run("mulScalar", (tf, in) -> single(tf, tf.math.mul(f64(tf, in, 0), arg(in, 1))), x, s);
        }
    }

    /** {@code a x + b y} in one kernel, in double precision: the update rule of most samplers. */
    TFloat32 linear(TFloat32 x, double a, TFloat32 y, double b) {
        try (TFloat64 sa = TFloat64.scalarOf(a); TFloat64 sb = TFloat64.scalarOf(b)) {
            return run("linear", (tf, in) -> single(tf, tf.math.add(
                    tf.math.mul(f64(tf, in, 0), arg(in, 1)), tf.math.mul(f64(tf, in, 2), arg(in, 3)))), x, sa, y, sb);
        }
    }

    /** Sample {@code i} times {@code factors[i]}, in double precision. */
    TFloat32 mulPerSample(TFloat32 x, double[] factors) {
        try (TFloat64 f = TFloat64.vectorOf(factors)) {
            return run("mulPerSample", (tf, in) -> perSample(tf, f32(in, 0),
                    rows -> single(tf, tf.math.mul(tf.dtypes.cast(rows, TFloat64.class), tf.expandDims(arg(in, 1), tf.constant(1))))), x, f);
        }
    }

    /** Sample {@code i} clamped into {@code [-bounds[i], bounds[i]]}. */
    TFloat32 clampPerSample(TFloat32 x, double[] bounds) {
        try (TFloat32 b = TFloat32.vectorOf(Run.floats(bounds))) {
            return run("clampPerSample", (tf, in) -> perSample(tf, f32(in, 0), rows -> {
                Operand<TFloat32> bound = tf.expandDims(f32(in, 1), tf.constant(1));
                return tf.math.minimum(tf.math.maximum(rows, tf.math.neg(bound)), bound);
            }), x, b);
        }
    }

    TFloat32 sqrt(TFloat32 x) {
        return run("sqrt", (tf, in) -> tf.math.sqrt(f32(in, 0)), x);
    }

    TFloat32 square(TFloat32 x) {
        return run("square", (tf, in) -> tf.math.square(f32(in, 0)), x);
    }

    TFloat32 abs(TFloat32 x) {
        return run("abs", (tf, in) -> tf.math.abs(f32(in, 0)), x);
    }

    TFloat32 exp(TFloat32 x) {
        return run("exp", (tf, in) -> tf.math.exp(f32(in, 0)), x);
    }

    TFloat32 clamp(TFloat32 x, double min, double max) {
        try (TFloat32 lo = TFloat32.scalarOf((float) min); TFloat32 hi = TFloat32.scalarOf((float) max)) {
            return run("clamp", (tf, in) -> tf.clipByValue(f32(in, 0), f32(in, 1), f32(in, 2)), x, lo, hi);
        }
    }

    TFloat32 reshape(TFloat32 x, int[] shape) {
        try (TInt64 s = TInt64.vectorOf(Run.longs(shape))) {
            return run("reshape", (tf, in) -> tf.reshape(f32(in, 0), i64(in, 1)), x, s);
        }
    }

    /** Samples {@code from} to {@code to} of the batch. */
    TFloat32 slice(TFloat32 x, int rank, int from, int to) {
        long[] begin = new long[rank];
        long[] size = new long[rank];
        Arrays.fill(size, -1);
        begin[0] = from;
        size[0] = to - from;
        try (TInt64 b = TInt64.vectorOf(begin); TInt64 s = TInt64.vectorOf(size)) {
            return run("slice", (tf, in) -> tf.slice(f32(in, 0), i64(in, 1), i64(in, 2)), x, b, s);
        }
    }

    /** Concatenation along the batch axis. */
    TFloat32 concat(List<TFloat32> parts) {
        return run("concat" + parts.size(), (tf, in) -> {
            List<Operand<TFloat32>> ops = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                ops.add(f32(in, i));
            }
            return tf.concat(ops, tf.constant(0));
        }, parts.toArray(Tensor[]::new));
    }

    /** The sum of all elements, accumulated in double precision. */
    double sum(TFloat32 x) {
        try (TFloat64 s = run("sum", (tf, in) -> tf.reduceSum(tf.dtypes.cast(f32(in, 0), TFloat64.class), allAxes(tf, f32(in, 0))), x)) {
            return s.getDouble();
        }
    }

    /** The sum of each sample's elements, accumulated in double precision. */
    double[] sumPerSample(TFloat32 x, int batch) {
        try (TFloat64 s = run("sumPerSample", (tf, in) -> tf.reduceSum(tf.dtypes.cast(rows(tf, f32(in, 0)), TFloat64.class), tf.constant(1)), x)) {
            double[] out = new double[batch];
            s.asRawTensor().data().asDoubles().read(out);
            return out;
        }
    }

    boolean isFinite(TFloat32 x) {
        try (TBool b = run("isFinite", (tf, in) -> tf.reduceAll(tf.math.isFinite(f32(in, 0)), allAxes(tf, f32(in, 0))), x)) {
            return b.getBoolean();
        }
    }

    private static Operand<TInt64> allAxes(Ops tf, Operand<TFloat32> x) {
        return tf.range(tf.constant(0L), tf.dtypes.cast(tf.rank(x), TInt64.class), tf.constant(1L));
    }

    /** Applies {@code f} to {@code x} seen as rows {@code [n, -1]}, back in x's shape. */
    private static Operand<TFloat32> perSample(Ops tf, Operand<TFloat32> x, UnaryOperator<Operand<TFloat32>> f) {
        return tf.reshape(f.apply(rows(tf, x)), tf.shape(x));
    }

    /** {@code x} as {@code [n, -1]}: one row per sample. */
    private static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> x) {
        Operand<TInt64> batch = tf.slice(tf.shape(x, TInt64.class), tf.constant(new long[] {0}), tf.constant(new long[] {1}));
        return tf.reshape(x, tf.concat(List.of(batch, tf.constant(new long[] {-1})), tf.constant(0)));
    }

    /** Input {@code i} (float32) widened to double. */
    private static Operand<TFloat64> f64(Ops tf, List<Placeholder<?>> in, int i) {
        return tf.dtypes.cast(f32(in, i), TFloat64.class);
    }

    /** Rounds to float32. */
    private static Operand<TFloat32> single(Ops tf, Operand<TFloat64> x) {
        return tf.dtypes.cast(x, TFloat32.class);
    }

    /** Input {@code i}, typed as its use requires (the type of the tensor fed to it). */
    @SuppressWarnings("unchecked")
    private static <T extends TType> Operand<T> arg(List<Placeholder<?>> in, int i) {
        return (Operand<T>) in.get(i);
    }

    private static Operand<TFloat32> f32(List<Placeholder<?>> in, int i) {
        return arg(in, i);
    }

    private static Operand<TInt64> i64(List<Placeholder<?>> in, int i) {
        return arg(in, i);
    }

    /** Runs the operation {@code name} (built on first use); the caller owns and closes the result. */
    @SuppressWarnings("unchecked")
    private <T extends TType> T run(String name, Body body, Tensor... feeds) {
        Kernel kernel = kernel(name, body, feeds);
        try (Run run = new Run(session)) {
            for (int i = 0; i < feeds.length; i++) {
                run.feed(kernel.inputs().get(i), feeds[i]);
            }
            return (T) run.fetch(kernel.output()).run().take(0);
        }
    }

    private synchronized Kernel kernel(String name, Body body, Tensor... feeds) {
        return kernels.computeIfAbsent(name, n -> {
            List<Placeholder<?>> inputs = new ArrayList<>();
            for (Tensor feed : feeds) {
                inputs.add(tf.placeholder(((TType) feed).type()));
            }
            return new Kernel(inputs, body.build(tf, inputs));
        });
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
