package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * The closed-form group norm (+ SiLU) backward of the training graph against TensorFlow's own
 * auto-differentiation of the plain forward, on random inputs with a non-zero mean, scale and
 * shift (so that each term of the formula matters: without the group-mean terms the input
 * gradient is off by far more than the tolerance).
 */
class GroupNormGradientTest {
    private static final int N = 3;
    private static final int H = 5;
    private static final int W = 4;
    private static final int C = 12;
    private static final int GROUPS = 3;

    @BeforeAll
    static void runtime() {
        TfRuntime.initialize();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void matchesAutoDifferentiation(boolean silu) {
        assumeTrue(GroupNormGradient.available(), "custom gradients cannot be registered on this platform");
        float[][] plain = gradients(false, silu);
        float[][] custom = gradients(true, silu);
        String[] names = {"output", "d input", "d weight", "d bias"};
        for (int k = 0; k < plain.length; k++) {
            float scale = 0;
            for (float v : plain[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0.1f, names[k] + " is not a test: " + scale);
            for (int i = 0; i < plain[k].length; i++) {
                assertEquals(plain[k][i], custom[k][i], 1e-5f * scale, names[k] + " at " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void onlyTheTrainingGraphCarriesIt(boolean training) {
        assumeTrue(GroupNormGradient.available(), "custom gradients cannot be registered on this platform");
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Layers l = new Layers(tf, p -> tf.ones(tf.constant(p.tfShape()), TFloat32.class), null, training);
            l.groupNormSilu(tf.zeros(tf.constant(new long[] {N, H, W, C}), TFloat32.class), "norm", C, GROUPS);
            long identities = StreamSupport.stream(((Iterable<GraphOperation>) g::operations).spliterator(), false)
                    .filter(op -> op.type().equals("IdentityN")).count();
            assertEquals(training ? 1 : 0, identities);
        }
    }

    /** Output, then the gradients of {@code sum(output * weights)} with respect to the input, the weight and the bias. */
    private static float[][] gradients(boolean custom, boolean silu) {
        Random random = new Random(7);
        float[] x = normal(random, N * H * W * C, 1.5f, 2f);
        float[] gamma = normal(random, C, 1f, 0.5f);
        float[] beta = normal(random, C, 0f, 1f);
        float[] weights = normal(random, N * H * W * C, 0f, 1f);
        try (Graph g = new Graph(); Session session = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> input = tf.reshape(tf.constant(x), tf.constant(new long[] {N, H, W, C}));
            Operand<TFloat32> scale = tf.identity(tf.constant(gamma));
            Operand<TFloat32> shift = tf.identity(tf.constant(beta));
            Layers l = new Layers(tf, p -> p.name().endsWith(".weight") ? scale : shift, null, custom);
            Operand<TFloat32> y = silu ? l.groupNormSilu(input, "norm", C, GROUPS) : l.groupNorm(input, "norm", C, GROUPS);
            Operand<TFloat32> loss = tf.sum(tf.math.mul(y, tf.reshape(tf.constant(weights), tf.constant(new long[] {N, H, W, C}))),
                    tf.constant(new int[] {0, 1, 2, 3}));
            Gradients d = tf.gradients(loss, List.of(input, scale, shift));
            try (Result r = session.runner().fetch(y).fetch(d.dy(0)).fetch(d.dy(1)).fetch(d.dy(2)).run()) {
                float[][] out = new float[4][];
                for (int k = 0; k < 4; k++) {
                    TFloat32 t = (TFloat32) r.get(k);
                    out[k] = new float[(int) t.shape().size()];
                    t.copyTo(DataBuffers.of(out[k]));
                }
                return out;
            }
        }
    }

    private static float[] normal(Random random, int size, float mean, float std) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (mean + std * random.nextGaussian());
        }
        return v;
    }
}
