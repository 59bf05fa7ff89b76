package org.ddpm4j.agreement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * The two network backends, made by name through the plugin registry as an application would, one
 * thread each (deterministic), plus the small networks every agreement test uses.
 */
final class Backends implements AutoCloseable {
    static final PluginRegistry REGISTRY = PluginRegistry.load();
    static final DiscreteSchedule SCHEDULE = (DiscreteSchedule) REGISTRY.createSchedule("linear", Parameters.empty());

    final NetworkBackend djl = open("djl", Parameters.of("threads", 1));
    final NetworkBackend tf = open("tf", Parameters.of("threads", 1));

    private static NetworkBackend open(String name, Parameters parameters) {
        return (NetworkBackend) REGISTRY.createBackend(name, parameters);
    }

    List<NetworkBackend> both() {
        return List.of(djl, tf);
    }

    /** The backend of that plugin name. */
    NetworkBackend named(String name) {
        return name.equals("djl") ? djl : tf;
    }

    /** The backend that is not {@code b}. */
    NetworkBackend other(NetworkBackend b) {
        return b == djl ? tf : djl;
    }

    @Override
    public void close() {
        djl.close();
        tf.close();
    }

    /** A class-conditional mlp for 2-D points. */
    static NetworkSpec mlp() {
        return new NetworkSpec("mlp", new int[] {2}, 3, Parameterization.EPSILON,
                Parameters.of("hidden", 32, "blocks", 2, "time_embedding", 16));
    }

    /** A small class-conditional unet with two attention heads on its lower level. */
    static NetworkSpec unet() {
        return new NetworkSpec("unet", new int[] {1, 8, 8}, 3, Parameterization.EPSILON,
                Parameters.of("channels", 8, "channel_mult", List.of(1, 2), "num_res_blocks", 1, "attention_levels", List.of(1),
                        "heads", 2, "groups", 4));
    }

    /** A noisy-input classifier of 2-D points. */
    static NetworkSpec pointClassifier() {
        return new NetworkSpec("classifier", new int[] {2}, 3, Parameterization.EPSILON,
                Parameters.of("hidden", 32, "blocks", 2, "time_embedding", 16));
    }

    /** A noisy-input classifier of small images (the unet's down path with attention). */
    static NetworkSpec imageClassifier() {
        return new NetworkSpec("classifier", new int[] {1, 8, 8}, 3, Parameterization.EPSILON,
                Parameters.of("channels", 8, "channel_mult", List.of(1, 2), "num_res_blocks", 1, "attention_levels", List.of(1),
                        "heads", 2, "groups", 4));
    }

    /**
     * The network as an x0-predictor: with random weights an epsilon-predictor's x0 estimate
     * (x - sigma eps) / alpha reaches thousands near t = T, where 1e-3 would be a meaningless bound;
     * predicted x0 keeps the samples of order 1.
     */
    static NetworkSpec predictingX0(NetworkSpec spec) {
        return new NetworkSpec(spec.architecture(), spec.sampleShape(), spec.numClasses(), Parameterization.SAMPLE, spec.hyperparameters());
    }

    /** {@code [batch, ...sample shape]}. */
    static int[] batchShape(NetworkSpec spec, int batch) {
        int[] s = spec.sampleShape();
        int[] shape = new int[s.length + 1];
        shape[0] = batch;
        System.arraycopy(s, 0, shape, 1, s.length);
        return shape;
    }

    /**
     * Fails unless both tensors have the same shape and agree to {@code tolerance} (max abs); also
     * fails on an output that is all zeros, where agreement would prove nothing.
     */
    static void assertAgree(Tensor expected, Tensor actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] a = expected.toFloatArray();
        float[] b = actual.toFloatArray();
        double max = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        assertTrue(scale > 1e-3, what + ": outputs are (nearly) zero, the comparison would be vacuous");
        assertTrue(max <= tolerance, what + ": max abs difference " + max + " > " + tolerance + " (outputs up to " + scale + ")");
    }
}
