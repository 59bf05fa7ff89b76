package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.junit.jupiter.api.Test;

/**
 * Export and import keep every array under its own name and in its own place (convolution kernels
 * included, which TensorFlow stores HWIO), for full and partial states, and the EMA forward pass reads
 * the EMA weights of each parameter, not a neighbour's or the current ones. Every array holds values
 * of its own, so a state mixed up between parameters, or within one, fails here. Written for the
 * sixth pass's flat-vector layout (docs/BENCHMARKS.md); it guards any layout of the variables.
 */
class StateLayoutTest extends WithTfBackend {
    private static final String[] PREFIXES = {"weights/", "ema/", "adam_m/", "adam_v/"};

    @Test
    void aStateWithDistinctValuesEverywhereComesBackNameByName() {
        try (TrainableDenoiser source = backend.newDenoiser(Fixtures.unet(2), OptimizerSettings.defaults());
             TrainableDenoiser fresh = backend.newDenoiser(Fixtures.unet(2), OptimizerSettings.defaults())) {
            Map<String, HostArray> state = distinct(source.exportState());
            source.importState(state);
            Map<String, HostArray> saved = source.exportState();
            assertEquals(state.keySet(), saved.keySet());
            state.forEach((name, array) -> assertEquals(array, saved.get(name), name));

            fresh.importState(saved);
            Map<String, HostArray> loaded = fresh.exportState();
            state.forEach((name, array) -> assertEquals(array, loaded.get(name), name + " after loading into a fresh network"));
        }
    }

    @Test
    void aPartialStateStartsTheEmaAtTheWeightsAndTheMomentsAtZero() {
        try (TrainableDenoiser net = backend.newDenoiser(Fixtures.unet(2), OptimizerSettings.defaults())) {
            Map<String, HostArray> full = distinct(net.exportState());
            Map<String, HostArray> weightsOnly = only(full, "weights/");
            net.importState(weightsOnly);
            Map<String, HostArray> got = net.exportState();
            for (String key : weightsOnly.keySet()) {
                String name = key.substring("weights/".length());
                assertEquals(full.get(key), got.get("ema/" + name), "ema/" + name + " starts at the weights");
                assertArrayEquals(new float[full.get(key).data().length], got.get("adam_m/" + name).data(), "adam_m/" + name);
                assertArrayEquals(new float[full.get(key).data().length], got.get("adam_v/" + name).data(), "adam_v/" + name);
            }
            assertEquals(0f, got.get("adam_step").data()[0]);

            Map<String, HostArray> withEma = only(full, "weights/");
            withEma.putAll(only(full, "ema/"));
            net.importState(withEma);
            Map<String, HostArray> again = net.exportState();
            withEma.forEach((name, array) -> assertEquals(array, again.get(name), name));
            assertTrue(again.entrySet().stream().filter(e -> e.getKey().startsWith("adam_"))
                    .allMatch(e -> e.getKey().equals("adam_step") || isZero(e.getValue())), "a fresh optimizer without adam_* entries");
        }
    }

    @Test
    void theEmaForwardPassIsTheForwardPassWithTheExportedEmaWeights() {
        try (TrainableDenoiser net = backend.newDenoiser(Fixtures.unet(2), OptimizerSettings.defaults().withEmaDecay(0.5).withEmaWarmup(false));
             TrainableDenoiser withEma = backend.newDenoiser(Fixtures.unet(2), OptimizerSettings.defaults())) {
            Tensor x = backend.randn(new GaussianNoise(1), 4, 1, 8, 8);
            double[] t = {10, 200, 500, 900};
            Condition c = Condition.classes(new int[] {0, 1, 0, 1});
            for (int k = 0; k < 3; k++) {
                net.trainStep(new TrainingBatch(x, t, c, backend.randn(new GaussianNoise(10 + k), 4, 1, 8, 8), new double[] {1, 1, 1, 1}), 1e-2, k);
            }
            Map<String, HostArray> state = net.exportState();
            Map<String, HostArray> emaAsWeights = new LinkedHashMap<>();
            only(state, "ema/").forEach((key, array) -> emaAsWeights.put("weights/" + key.substring("ema/".length()), array));
            withEma.importState(emaAsWeights);

            float[] ema = net.ema().predict(x, t, c).toFloatArray();
            float[] current = net.predict(x, t, c).toFloatArray();
            float[] expected = withEma.predict(x, t, c).toFloatArray();
            assertArrayEquals(expected, ema, 1e-6f, "EMA forward = forward with the exported ema/* weights");
            double differs = 0;
            for (int i = 0; i < ema.length; i++) {
                differs = Math.max(differs, Math.abs(ema[i] - current[i]));
            }
            assertTrue(differs > 1e-3, "the check needs EMA weights unlike the current ones (max difference " + differs + ")");
        }
    }

    /** {@code state} with every array replaced by distinct values: random, a new stream per name. */
    private static Map<String, HostArray> distinct(Map<String, HostArray> state) {
        Map<String, HostArray> out = new LinkedHashMap<>();
        int seed = 100;
        for (Map.Entry<String, HostArray> e : state.entrySet()) {
            HostArray a = e.getValue();
            if (e.getKey().equals("adam_step")) {
                out.put(e.getKey(), HostArray.scalar(7));
                continue;
            }
            GaussianNoise random = new GaussianNoise(seed++);
            float[] data = new float[a.data().length];
            for (int i = 0; i < data.length; i++) {
                double value = random.next();
                data[i] = (float) (e.getKey().startsWith("adam_v/") ? Math.abs(value) : value); // second moments are not negative
            }
            out.put(e.getKey(), new HostArray(a.shape(), data));
        }
        assertTrue(out.keySet().stream().anyMatch(k -> k.startsWith(PREFIXES[0]) && out.get(k).shape().length == 4),
                "the network has convolution kernels, whose TensorFlow layout differs");
        return out;
    }

    private static Map<String, HostArray> only(Map<String, HostArray> state, String prefix) {
        Map<String, HostArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static boolean isZero(HostArray a) {
        for (float f : a.data()) {
            if (f != 0) {
                return false;
            }
        }
        return true;
    }
}
