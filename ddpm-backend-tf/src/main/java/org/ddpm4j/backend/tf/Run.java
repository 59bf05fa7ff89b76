package org.ddpm4j.backend.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * One {@code Session.run} that closes every native tensor it made: the fed tensors it created,
 * and the fetched ones except those {@linkplain #take taken} by the caller. Leaving either open
 * grows native memory run after run.
 */
final class Run implements AutoCloseable {
    /**
     * Receives TensorFlow's per-op step statistics of every run while set (null: not traced, the
     * default). Set only by the op profiler {@code tools/network-profiles/TfOpProfile.java}, through
     * reflection; a traced run is slower.
     */
    static volatile Consumer<RunMetadata> trace;

    private final Session.Runner runner;
    private final List<Tensor> created = new ArrayList<>();
    private final List<Tensor> fetched = new ArrayList<>();

    Run(Session session) {
        this.runner = session.runner();
    }

    /** Feeds a tensor the caller keeps ownership of. */
    Run feed(Operand<?> input, Tensor value) {
        runner.feed(input, value);
        return this;
    }

    Run feed(Operand<?> input, double[] values) {
        return feedCreated(input, TFloat64.vectorOf(values));
    }

    /** Feeds {@code values} rounded to a float32 vector. */
    Run feedFloats(Operand<?> input, double[] values) {
        return feedCreated(input, TFloat32.vectorOf(floats(values)));
    }

    Run feed(Operand<?> input, int[] values) {
        return feedCreated(input, TInt32.vectorOf(values));
    }

    Run feed(Operand<?> input, long[] values) {
        return feedCreated(input, TInt64.vectorOf(values));
    }

    Run feed(Operand<?> input, float scalar) {
        return feedCreated(input, TFloat32.scalarOf(scalar));
    }

    /** Feeds a tensor this run owns and closes. */
    Run feedCreated(Operand<?> input, Tensor value) {
        created.add(value);
        return feed(input, value);
    }

    Run fetch(Operand<?> output) {
        runner.fetch(output);
        return this;
    }

    Run target(Op op) {
        runner.addTarget(op);
        return this;
    }

    /** Runs the graph; the fetched tensors are then read or taken in fetch order. */
    Run run() {
        // The Result only holds the fetched tensors, which this Run closes or hands over.
        Consumer<RunMetadata> sink = trace;
        Result result = sink == null ? runner.run()
                : runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build()).runAndFetchMetadata();
        if (sink != null) {
            result.getMetadata().ifPresent(sink);
        }
        for (int i = 0; i < result.size(); i++) {
            fetched.add(result.get(i));
        }
        return this;
    }

    /** Hands fetched tensor {@code i} to the caller, who closes it. */
    @SuppressWarnings("unchecked")
    <T extends Tensor> T take(int i) {
        T t = (T) fetched.get(i);
        fetched.set(i, null);
        return t;
    }

    /** Fetched tensor {@code i} as a float array. */
    float[] floats(int i) {
        Tensor t = fetched.get(i);
        float[] out = new float[Math.toIntExact(t.shape().size())];
        t.asRawTensor().data().asFloats().read(out);
        return out;
    }

    /** Fetched scalar {@code i}. */
    double scalar(int i) {
        return ((TFloat32) fetched.get(i)).getFloat();
    }

    /** {@code values} rounded to float. */
    static float[] floats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** {@code values} widened to long (shapes). */
    static long[] longs(int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = values[i];
        }
        return l;
    }

    @Override
    public void close() {
        for (Tensor t : created) {
            t.close();
        }
        for (Tensor t : fetched) {
            if (t != null) {
                t.close();
            }
        }
    }
}
