package org.ddpm4j.agreement;

import org.ddpm4j.api.training.TrainableDenoiser;

import org.ddpm4j.api.training.OptimizerSettings;

import org.ddpm4j.api.model.VarianceOutput;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.pretrained.DiffusersExport;
import org.ddpm4j.core.pretrained.Pretrained;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.testkit.DiffusersUNetFixtures;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.toolkit.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A diffusers-unet checkpoint exported as a diffusers folder loads back with the same weights: identical
 * outputs on the backend that wrote it, the same to 1e-4 on the other.
 */
class DiffusersExportTest extends OnBothBackends {
    private static final ComponentConfig SCALED_LINEAR = new ComponentConfig("scaled-linear",
            Map.of("num_train_timesteps", 1000, "beta_start", 0.00085, "beta_end", 0.012, "rescale_betas_zero_snr", false));

    private static final PluginRegistry REGISTRY = Backends.REGISTRY;

    private static HostArray npy(Path file) {
        Npy.Array a = Npy.read(file);
        return new HostArray(a.shape(), a.floats());
    }

    private static float[] forward(NetworkBackend backend, Denoiser model, Path expected) {
        float[] t = npy(expected.resolve("forward_t.npy")).data();
        Condition c = Condition.none();
        if (Files.exists(expected.resolve("forward_labels.npy"))) {
            float[] l = npy(expected.resolve("forward_labels.npy")).data();
            c = Condition.classes(new int[] {(int) l[0], (int) l[1]});
        }
        try (TensorScope scope = backend.openScope()) {
            return model.predict(backend.fromHost(npy(expected.resolve("forward_x.npy"))), new double[] {t[0], t[1]}, c).toFloatArray();
        }
    }

    /** A training directory whose EMA weights are the fixture's and whose raw weights are not (export must take the EMA). */
    private static Path checkpointOf(Pretrained model, String backend, Path dir) {
        Map<String, HostArray> state = new LinkedHashMap<>();
        Map<String, HostArray> exported = model.denoiser().exportState();
        exported.forEach((k, v) -> {
            if (k.startsWith("weights/")) {
                float[] half = v.data().clone();
                for (int i = 0; i < half.length; i++) {
                    half[i] *= 0.5f;
                }
                state.put(k, new HostArray(v.shape(), half));
                state.put("ema/" + k.substring(8), v);
            }
        });
        CheckpointStore store = new CheckpointStore(dir);
        store.writeCard(new ModelCard("denoiser", model.spec(), List.of(), SCALED_LINEAR, backend, Map.of(), Map.of()));
        store.save(10, state, Map.of("step", 10), 1);
        return dir;
    }

    @ParameterizedTest(name = "written by {0}")
    @ValueSource(strings = {"djl", "tf"})
    void anExportedCheckpointLoadsBackWithTheSameOutputs(String writer, @TempDir Path dir) {
        NetworkBackend backend = backends.named(writer);
        NetworkBackend other = backends.other(backend);
        for (String name : List.of("attn", "classes")) {
            Path fixture = DiffusersUNetFixtures.copy(name, dir.resolve("fixtures"));
            Path out = dir.resolve("exported-" + name);
            try (Pretrained original = Pretrained.load(fixture, backend)) {
                DiffusersExport.export(checkpointOf(original, writer, dir.resolve("run-" + name)), out, REGISTRY);
                try (Pretrained back = Pretrained.load(out, backend)) {
                    assertEquals(original.spec(), back.spec(), name);
                    float[] want = forward(backend, original.denoiser(), fixture.resolve("expected"));
                    assertArrayEquals(want, forward(backend, back.denoiser(), fixture.resolve("expected")),
                            name + ": the exported EMA weights give the original's outputs");
                    try (Pretrained elsewhere = Pretrained.load(out, other)) {
                        assertArrayEquals(want, forward(other, elsewhere.denoiser(), fixture.resolve("expected")), 1e-4f, name + " on " + other.name());
                    }
                }
                Map<String, HostArray> weights = Safetensors.read(out.resolve("unet").resolve(Pretrained.WEIGHTS));
                assertEquals(original.config().parameters().keySet(), weights.keySet(), "diffusers' parameter names, in its order");
            }
            assertEquals(Map.of("_class_name", "DDPMPipeline", "unet", List.of("diffusers", "UNet2DModel"),
                    "scheduler", List.of("diffusers", "DDPMScheduler")), Json.readObject(out.resolve("model_index.json")));
            Map<String, Object> scheduler = Json.readObject(out.resolve("scheduler").resolve("scheduler_config.json"));
            assertEquals("DDPMScheduler", scheduler.get("_class_name"));
            assertEquals("scaled_linear", scheduler.get("beta_schedule"));
            assertEquals(0.00085, ((Number) scheduler.get("beta_start")).doubleValue());
            assertEquals(1000, ((Number) scheduler.get("num_train_timesteps")).intValue());
            assertEquals("epsilon", scheduler.get("prediction_type"));
            assertEquals(null, scheduler.get("trained_betas"), "scaled-linear is diffusers' own scaled_linear");
            assertEquals("UNet2DModel", Json.readObject(out.resolve("unet").resolve("config.json")).get("_class_name"));
        }
    }

    @Test
    void anotherArchitectureOrAnOccupiedFolderIsRefusedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        NetworkBackend backend = backends.named("djl");
        CheckpointStore store = new CheckpointStore(dir.resolve("mlp"));
        NetworkSpec mlp = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.of(Map.of("hidden", 16)));
        store.writeCard(new ModelCard("denoiser", mlp, List.of(), SCALED_LINEAR, "djl", Map.of(), Map.of()));
        Path out = dir.resolve("out");
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> DiffusersExport.export(store.dir(), out, REGISTRY));
        assertTrue(e.getMessage().contains("of architecture 'mlp'") && e.getMessage().contains("--arch diffusers-unet"), e.getMessage());
        assertFalse(Files.exists(out));

        Path fixture = DiffusersUNetFixtures.copy("attn", dir.resolve("fixtures"));
        Path run;
        try (Pretrained original = Pretrained.load(fixture, backend)) {
            run = checkpointOf(original, "djl", dir.resolve("run"));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        e = assertThrows(InvalidParameterException.class, () -> DiffusersExport.export(run, out, REGISTRY));
        assertTrue(e.getMessage().startsWith("invalid out = '" + out + "': already exists and is not empty"), e.getMessage());
        assertEquals(List.of(out.resolve("keep.txt")), Files.list(out).toList());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging folder is left behind");
        }
    }

    @ParameterizedTest(name = "written by {0}")
    @ValueSource(strings = {"djl", "tf"})
    void aLearnedVarianceUNet2DModelExportsAndLoadsBackWithItsVarianceOutput(String writer, @TempDir Path dir) throws Exception {
        NetworkBackend backend = backends.named(writer);
        NetworkBackend other = backends.other(backend);
        Map<String, Object> config = new LinkedHashMap<>(Json.readObject(DiffusersUNetFixtures.copy("attn", dir.resolve("fixtures"))
                .resolve("unet").resolve("config.json")));
        config.put("out_channels", 6);   // the prediction, then the interpolation v (learned_range)
        NetworkSpec spec = Pretrained.spec(config, dir, Parameterization.EPSILON).withVarianceOutput(VarianceOutput.LEARNED_RANGE);
        Map<String, HostArray> state = new LinkedHashMap<>();
        try (TrainableDenoiser fresh = backend.newDenoiser(spec, OptimizerSettings.defaults().withSeed(5))) {
            org.ddpm4j.api.tensor.GaussianNoise noise = new org.ddpm4j.api.tensor.GaussianNoise(6);
            fresh.exportState().forEach((k, v) -> {
                if (k.startsWith("weights/")) {
                    float[] w = v.data().clone();
                    for (int i = 0; i < w.length; i++) {
                        w[i] += (float) (0.1 * noise.next());   // the zero-initialised output layer too
                    }
                    state.put(k, new HostArray(v.shape(), w));
                }
            });
        }
        CheckpointStore store = new CheckpointStore(dir.resolve("run"));
        store.writeCard(new ModelCard("denoiser", spec, List.of(), SCALED_LINEAR, writer, Map.of(), Map.of()));
        store.save(1, state, Map.of("step", 1), 1);
        Path out = dir.resolve("exported");
        DiffusersExport.export(store.dir(), out, REGISTRY);
        assertEquals("learned_range", Json.readObject(out.resolve("scheduler").resolve("scheduler_config.json")).get("variance_type"));
        Path fixture = dir.resolve("fixtures").resolve("attn").resolve("expected");
        try (Pretrained back = Pretrained.load(out, backend); Pretrained elsewhere = Pretrained.load(out, other)) {
            assertEquals(VarianceOutput.LEARNED_RANGE, back.denoiser().varianceOutput());
            assertEquals(VarianceOutput.LEARNED_RANGE, elsewhere.denoiser().varianceOutput());
            float[] here = forward(backend, back.denoiser(), fixture);
            assertEquals(2 * npy(fixture.resolve("forward_x.npy")).data().length, here.length, "twice the input's channels");
            assertArrayEquals(here, forward(other, elsewhere.denoiser(), fixture), 1e-4f);
        }
        // the scheduler declares the variance: without it, twice in_channels is refused by name
        Path scheduler = out.resolve("scheduler").resolve("scheduler_config.json");
        Map<String, Object> fixed = new LinkedHashMap<>(Json.readObject(scheduler));
        fixed.put("variance_type", "fixed_small");
        Json.write(fixed, scheduler);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pretrained.load(out, backend).close());
        assertTrue(e.getMessage().contains("out_channels") && e.getMessage().contains("learned_range"), e.getMessage());
    }
}
