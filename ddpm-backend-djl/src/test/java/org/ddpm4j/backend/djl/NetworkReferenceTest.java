package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The networks against an independent PyTorch implementation of docs/NETWORKS.md
 * ({@code tools/djl-reference/networks.py}): same parameter names and shapes (weights import without
 * complaint), same outputs, classifier gradients and AdamW steps. Fixtures are made by
 * {@code tools/djl-reference/make_fixtures.py}.
 */
class NetworkReferenceTest {
    private static final double TOLERANCE = 1e-4;
    private static DjlBackend backend;
    private static Map<String, Object> cases;

    @BeforeAll
    static void load() throws URISyntaxException {
        backend = new DjlBackend("cpu");
        cases = Json.readObject(resource("cases.json"));
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(NetworkReferenceTest.class.getResource("/reference/" + name).toURI());
    }

    /** The spec of a case from cases.json. */
    @SuppressWarnings("unchecked")
    static NetworkSpec spec(String name) {
        Parameters p = Parameters.of((Map<String, Object>) cases.get(name));
        return new NetworkSpec(p.requireString("architecture"), p.requireIntArray("sample_shape"), p.requireInt("num_classes"),
                Parameterization.EPSILON, Parameters.of(p.getNested("hyperparameters").asMap()));
    }

    /** The arrays of a case: inputs, expected values and {@code weights/*}. */
    static Map<String, HostArray> arrays(String name) throws URISyntaxException {
        return Npz.read(resource(name + ".npz"));
    }

    /** The arrays whose key starts with {@code prefix}, with {@code drop} characters cut from the key. */
    private static Map<String, HostArray> select(Map<String, HostArray> arrays, String prefix, int drop) {
        Map<String, HostArray> m = new LinkedHashMap<>();
        arrays.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k.substring(drop), v);
            }
        });
        return m;
    }

    /** The {@code weights/*} arrays of a case: a state to import. */
    static Map<String, HostArray> weights(Map<String, HostArray> arrays) {
        return select(arrays, "weights/", 0);
    }

    private static double[] doubles(HostArray a) {
        double[] d = new double[a.data().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.data()[i];
        }
        return d;
    }

    private static int[] ints(HostArray a) {
        return Arrays.stream(doubles(a)).mapToInt(v -> (int) v).toArray();
    }

    static void assertClose(HostArray expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertClose(expected.data(), actual.toFloatArray(), what);
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + " at " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_conditional", "mlp_continuous", "mlp_same_time", "unet_conditional", "unet_continuous", "unet_same_time"})
    void denoisersComputeWhatTheSpecificationSays(String name) throws URISyntaxException {
        Map<String, HostArray> a = arrays(name);
        try (TrainableDenoiser model = backend.newDenoiser(spec(name), OptimizerSettings.defaults())) {
            model.importState(weights(a));
            Condition labels = model.numClasses() > 0 ? Condition.classes(ints(a.get("labels"))) : Condition.none();
            Tensor out = model.predict(backend.fromHost(a.get("x")), doubles(a.get("t")), labels);
            assertClose(a.get("output"), out, name);
            assertClose(a.get("output"), model.ema().predict(backend.fromHost(a.get("x")), doubles(a.get("t")), labels), name + " (EMA)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classifier_points", "classifier_images"})
    void classifiersAndTheirInputGradientsMatch(String name) throws URISyntaxException {
        Map<String, HostArray> a = arrays(name);
        try (TrainableClassifier model = backend.newClassifier(spec(name), OptimizerSettings.defaults())) {
            model.importState(weights(a));
            Tensor x = backend.fromHost(a.get("x"));
            double[] t = doubles(a.get("t"));
            assertClose(a.get("log_probabilities"), model.logProbabilities(x, t), name + " log p");
            assertClose(a.get("gradient"), model.logProbabilityGradient(x, t, ints(a.get("labels"))), name + " gradient");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void adamWWithClippingAndEmaFollowsTorch() throws URISyntaxException {
        Map<String, HostArray> a = arrays("adamw");
        Parameters o = Parameters.of((Map<String, Object>) ((Map<String, Object>) cases.get("adamw")).get("optimizer"));
        OptimizerSettings settings = new OptimizerSettings(o.requireDouble("beta1"), o.requireDouble("beta2"), o.requireDouble("epsilon"),
                o.requireDouble("weight_decay"), o.requireDouble("clip"), o.requireDouble("ema"), false, 0); // the fixture's EMA has no warm-up
        try (TrainableDenoiser model = backend.newDenoiser(spec("adamw"), settings)) {
            model.importState(weights(a));
            double[] t = doubles(a.get("t"));
            float[] losses = new float[o.requireInt("steps")];
            for (int k = 0; k < losses.length; k++) {
                TrainingBatch batch = new TrainingBatch(backend.fromHost(a.get("x")), t, Condition.classes(ints(a.get("labels"))),
                        backend.fromHost(a.get("target")), doubles(a.get("loss_weights")));
                losses[k] = (float) model.trainStep(batch, o.requireDouble("lr"), k);
            }
            assertClose(a.get("losses").data(), losses, "losses");
            Map<String, HostArray> state = model.exportState();
            Map<String, HostArray> expected = select(a, "expected/", "expected/".length());
            assertEquals(expected.keySet(), new java.util.HashSet<>(state.keySet().stream().filter(k -> !k.equals("adam_step")).toList()));
            expected.forEach((key, value) -> assertClose(value.data(), state.get(key).data(), key));
            assertEquals(losses.length, state.get("adam_step").data()[0]);
        }
    }
}
