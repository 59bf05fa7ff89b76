package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.testkit.DirectorySnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad input fails early with a message naming what is wrong, and never damages a checkpoint. */
class DjlBadInputTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();
    private static DjlBackend backend;
    private static DiscreteSchedule schedule;

    @BeforeAll
    static void open() {
        backend = new DjlBackend("cpu");
        schedule = (DiscreteSchedule) REGISTRY.createSchedule("linear", Parameters.empty());
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static NetworkSpec mlp(int hidden) {
        return new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.of("hidden", hidden, "blocks", 1));
    }

    private static String fails(Class<? extends Throwable> type, Executable code, String... mentions) {
        String message = assertThrows(type, code).getMessage();
        for (String m : mentions) {
            assertTrue(message.contains(m), "'" + m + "' in: " + message);
        }
        return message;
    }

    /** A model directory with a card and checkpoints of 10 steps of an mlp of width 16. */
    private static CheckpointStore trainedModel(Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        store.writeCard(ModelCard.of("denoiser", mlp(16), schedule, "djl", Map.of()));
        try (TrainableDenoiser model = backend.newDenoiser(mlp(16), OptimizerSettings.defaults())) {
            new Trainer(DjlTrainingTest.settings(10).withCheckpointEvery(5), DjlTrainingTest.clusters(false), backend, TrainingListener.NONE)
                    .trainDenoiser(model, Objective.simple(schedule), Optional.of(store), false);
        }
        return store;
    }

    private static void resume(CheckpointStore store, NetworkSpec spec) {
        try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            new Trainer(DjlTrainingTest.settings(20).withCheckpointEvery(5), DjlTrainingTest.clusters(false), backend, TrainingListener.NONE)
                    .trainDenoiser(model, Objective.simple(schedule), Optional.of(store), true);
        }
    }

    @Test
    void aCheckpointOfAnotherArchitectureIsRefusedAndLeftUntouched(@TempDir Path dir) throws IOException {
        CheckpointStore store = trainedModel(dir);
        Path card = dir.resolve(ModelCard.FILE);
        Files.writeString(card, Files.readString(card).replace("\"hidden\" : 16", "\"hidden\" : 32"));
        DirectorySnapshot before = DirectorySnapshot.of(dir);
        fails(InvalidParameterException.class, () -> Models.loadDenoiser(dir, backend, REGISTRY),
                "weights/time.0.weight", "has shape [16, 64]", "expects [32, 64]");
        fails(InvalidParameterException.class, () -> resume(store, mlp(32)), "weights/time.0.weight");
        before.assertUnchanged();
    }

    @Test
    void aTruncatedWeightsFileIsRefusedAndNothingIsOverwritten(@TempDir Path dir) throws IOException {
        CheckpointStore store = trainedModel(dir);
        Path state = store.latest().orElseThrow().stateFile();
        byte[] bytes = Files.readAllBytes(state);
        Files.write(state, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        DirectorySnapshot before = DirectorySnapshot.of(dir);
        fails(InvalidParameterException.class, () -> Models.loadDenoiser(dir, backend, REGISTRY), state.toString(), "truncated");
        fails(InvalidParameterException.class, () -> resume(store, mlp(16)), "truncated");
        before.assertUnchanged();
    }

    @Test
    void aGoodCheckpointLoadsAndPredictsWithTheEmaWeights(@TempDir Path dir) {
        CheckpointStore store = trainedModel(dir);
        try (Models.LoadedDenoiser loaded = Models.loadDenoiser(dir, backend, REGISTRY)) {
            Tensor x = backend.fromHost(new float[] {0.5f, 0.5f}, 1, 2);
            float[] ema = store.latest().orElseThrow().state().get("ema/output.bias").data();
            assertEquals(2, ema.length);
            assertEquals(Parameterization.EPSILON, loaded.ema().parameterization());
            assertTrue(loaded.ema().predict(x, 10.0, Condition.none()).isFinite());
        }
    }

    @Test
    void inputsOfTheWrongShapeAreNamed() {
        try (TrainableDenoiser points = backend.newDenoiser(mlp(8), OptimizerSettings.defaults());
             TrainableDenoiser images = backend.newDenoiser(new NetworkSpec("unet", new int[] {1, 4, 4}, 3, Parameterization.EPSILON,
                     Parameters.of("channels", 4, "channel_mult", List.of(1, 2), "num_res_blocks", 1, "groups", 2)), OptimizerSettings.defaults());
             TrainableClassifier classifier = backend.newClassifier(new NetworkSpec("classifier", new int[] {2}, 3, Parameterization.EPSILON,
                     Parameters.of("hidden", 8)), OptimizerSettings.defaults())) {
            fails(InvalidParameterException.class, () -> points.predict(backend.zeros(4, 3), 1.0, Condition.none()),
                    "x = '[4, 3]'", "must have shape [batch, 2]");
            fails(InvalidParameterException.class, () -> images.predict(backend.zeros(2, 1, 6, 6), 1.0, Condition.none()),
                    "[2, 1, 6, 6]", "[batch, 1, 4, 4]");
            fails(InvalidParameterException.class, () -> points.predict(backend.zeros(4, 2), new double[3], Condition.none()), "t =");
            fails(InvalidParameterException.class, () -> points.predict(backend.zeros(2, 2), 1.0, Condition.classes(0, 1)), "unconditional");
            fails(InvalidParameterException.class, () -> images.predict(backend.zeros(2, 1, 4, 4), 1.0, Condition.classes(0, 3)),
                    "labels must lie in [0, 2]");
            fails(InvalidParameterException.class, () -> classifier.logProbabilityGradient(backend.zeros(2, 2), new double[2], new int[] {0, 5}),
                    "labels[1] = 5");
            assertTrue(points.predict(backend.zeros(2, 2), 1.0, Condition.classes(-1, -1)).isFinite(), "the null class is fine");
            assertTrue(images.predict(backend.zeros(2, 1, 4, 4), 1.0, Condition.none()).isFinite(), "no condition means the null class");
        }
    }

    @Test
    void hyperParametersAreCheckedByName() {
        OptimizerSettings o = OptimizerSettings.defaults();
        fails(InvalidParameterException.class, () -> backend.newDenoiser(new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON,
                Parameters.of("hiden", 8)), o), "hyperparameters.hiden", "unknown parameter", "supported:", "hidden");
        fails(InvalidParameterException.class, () -> backend.newDenoiser(new NetworkSpec("unet", new int[] {1, 8, 8}, 0, Parameterization.EPSILON,
                Parameters.of("channels", 12, "groups", 8)), o), "hyperparameters.groups = 8", "must divide channels = 12");
        fails(InvalidParameterException.class, () -> backend.newDenoiser(new NetworkSpec("unet", new int[] {1, 10, 10}, 0, Parameterization.EPSILON,
                Parameters.empty()), o), "sample_shape", "multiples of 2^(levels-1) = 4");
        fails(InvalidParameterException.class, () -> backend.newDenoiser(new NetworkSpec("transformer", new int[] {2}, 0, Parameterization.EPSILON,
                Parameters.empty()), o), "architecture = 'transformer'", "mlp (points), unet (images)");
        fails(InvalidParameterException.class, () -> backend.newDenoiser(new NetworkSpec("mlp", new int[] {1, 4, 4}, 0, Parameterization.EPSILON,
                Parameters.empty()), o), "sample_shape", "use unet for images");
        fails(InvalidParameterException.class, () -> backend.newClassifier(mlp(8), o), "is not a classifier");
        fails(InvalidParameterException.class, () -> backend.newDenoiser(new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON,
                Parameters.of("time_embedding", 5)), o), "hyperparameters.time_embedding = 5", "even");
    }

    @Test
    void aRefusedStateNamesTheFirstProblemAndChangesNothing() {
        try (TrainableDenoiser model = backend.newDenoiser(mlp(8), OptimizerSettings.defaults())) {
            Map<String, HostArray> good = model.exportState();
            Tensor x = backend.fromHost(new float[] {0.1f, 0.2f}, 1, 2);
            float[] before = model.ema().predict(x, 3.0, Condition.none()).toFloatArray();

            Map<String, HostArray> missing = new LinkedHashMap<>(good);
            missing.remove("weights/blocks.0.time.bias");
            fails(InvalidParameterException.class, () -> model.importState(missing), "missing array 'weights/blocks.0.time.bias' of shape [8]");

            Map<String, HostArray> unexpected = new LinkedHashMap<>(good);
            unexpected.put("weights/blocks.7.time.bias", new HostArray(new int[] {8}, new float[8]));
            fails(InvalidParameterException.class, () -> model.importState(unexpected), "unexpected array 'weights/blocks.7.time.bias'");

            Map<String, HostArray> misshaped = new LinkedHashMap<>(good);
            misshaped.put("ema/input.weight", new HostArray(new int[] {2, 8}, new float[16]));
            fails(InvalidParameterException.class, () -> model.importState(misshaped), "'ema/input.weight' has shape [2, 8]", "expects [8, 2]");

            Map<String, HostArray> halfAdam = new LinkedHashMap<>(good);
            halfAdam.keySet().removeIf(k -> k.startsWith("adam_v/"));
            fails(InvalidParameterException.class, () -> model.importState(halfAdam), "adam_m/* but not adam_v/*");

            assertArrayEquals(before, model.ema().predict(x, 3.0, Condition.none()).toFloatArray(), "a refused state changes nothing");
        }
    }

    @Test
    void aGpuThatIsNotThereIsAClearError() {
        assumeTrue(DjlEngine.gpuCount() == 0, "this machine has a GPU");
        fails(InvalidParameterException.class, () -> new DjlBackend("gpu"), "device = 'gpu'", "no GPU is visible", "-Pcuda", "use cpu");
        fails(InvalidParameterException.class, () -> REGISTRY.createBackend("djl", Parameters.of("device", "gpu:1")), "backend.device = 'gpu:1'");
        fails(InvalidParameterException.class, () -> new DjlBackend("tpu"), "device = 'tpu'", "must be one of cpu, gpu, gpu:N");
    }

    @Test
    void thePluginMakesTheBackendByName() {
        try (var b = REGISTRY.createBackend("djl", Parameters.of("device", "cpu", "threads", DjlEngine.threads()))) {
            assertEquals("djl", b.name());
            assertEquals("cpu", b.device());
        }
        fails(InvalidParameterException.class, () -> REGISTRY.createBackend("djl", Parameters.of("threads", 0)), "backend.threads = 0");
        fails(InvalidParameterException.class, () -> REGISTRY.createBackend("djl", Parameters.of("gpu", true)), "backend.gpu", "unknown");
    }
}
