package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.core.training.TrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong states, model cards, files, shapes and hyper-parameters: clear errors, nothing changed or overwritten. */
class BadInputTest extends WithTfBackend {
    private static TrainableDenoiser net;

    @BeforeAll
    static void open() {
        net = backend.newDenoiser(Fixtures.mlp(2, 0), OptimizerSettings.defaults());
    }

    private static void assertMessage(Runnable action, String... parts) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, action::run);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    private static void assertStateRejected(Consumer<Map<String, HostArray>> damage, String... parts) {
        Map<String, HostArray> before = net.exportState();
        Map<String, HostArray> state = new LinkedHashMap<>(before);
        damage.accept(state);
        assertMessage(() -> net.importState(state), parts);
        Map<String, HostArray> after = net.exportState();
        before.forEach((k, v) -> assertEquals(v, after.get(k), "a rejected state changes nothing: " + k));
    }

    @Test
    void statesWithMissingUnexpectedOrMisshapedArraysAreRejectedNamingTheFirst() {
        assertStateRejected(s -> s.remove("weights/blocks.1.time.weight"), "state = 'weights/blocks.1.time.weight'", "is missing", "[32, 32]");
        assertStateRejected(s -> s.put("weights/blocks.2.0.weight", s.get("weights/blocks.1.0.weight")), "'weights/blocks.2.0.weight'",
                "is not an array of this mlp network");
        assertStateRejected(s -> s.put("ema/input.weight", new HostArray(new int[] {2, 32}, new float[64])), "'ema/input.weight'",
                "has shape [2, 32] but the mlp network needs [32, 2]");
        assertStateRejected(s -> s.remove("adam_v/output.bias"), "'adam_v/output.bias'", "is missing");
        assertStateRejected(s -> s.put("adam_step", HostArray.scalar(1.5f)), "'adam_step'", "non-negative integer");
        assertStateRejected(s -> s.remove("adam_step"), "'adam_m/", "Adam moments without adam_step");
    }

    @Test
    void aCheckpointWhoseModelCardDoesNotMatchItsWeightsFailsAndStaysUntouched(@TempDir Path dir) throws IOException {
        TrainingRun.train(backend, dir, false, TrainingListener.NONE);
        Path card = dir.resolve(ModelCard.FILE);
        Path state = new CheckpointStore(dir).latest().orElseThrow().stateFile();
        Files.writeString(card, Files.readString(card).replace("\"hidden\" : 32", "\"hidden\" : 64"));
        byte[] weights = Files.readAllBytes(state);
        assertMessage(() -> Models.loadDenoiser(dir, backend, Fixtures.REGISTRY), "state = 'weights/time.0.weight'",
                "has shape [32, 16] but the mlp network needs [64, 16]");
        assertArrayEquals(weights, Files.readAllBytes(state));

        Files.write(state, Arrays.copyOf(weights, weights.length - 100));
        Files.writeString(card, Files.readString(card).replace("\"hidden\" : 64", "\"hidden\" : 32"));
        assertMessage(() -> Models.loadDenoiser(dir, backend, Fixtures.REGISTRY), "state.safetensors", "truncated");
        assertMessage(() -> TrainingRun.train(backend, dir, true, TrainingListener.NONE), "truncated");
        assertEquals(40, new CheckpointStore(dir).latest().orElseThrow().step(), "a failed resume writes no checkpoint");
    }

    @Test
    void wrongInputsNameTheParameterAndWhatIsAllowed() {
        assertMessage(() -> net.predict(backend.zeros(4, 3), new double[4], Condition.none()), "x = '[4, 3]'", "must be [batch, 2]");
        assertMessage(() -> net.predict(backend.zeros(4, 2), new double[3], Condition.none()), "t = '3 times'");
        assertMessage(() -> net.predict(backend.zeros(2, 2), new double[2], Condition.classes(0, 2)), "condition", "[0, 2)");
        assertMessage(() -> backend.newDenoiser(Fixtures.mlp(0, 0), OptimizerSettings.defaults())
                .predict(backend.zeros(1, 2), new double[1], Condition.classes(1)), "unconditional");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.predict(
                new JavaBackend().zeros(1, 2), new double[1], Condition.none()));
        assertTrue(e.getMessage().contains("tensor of backend 'java' used with backend 'tf'"), e.getMessage());
    }

    @Test
    void badNetworkSpecsNameTheHyperparameter() {
        assertMessage(() -> spec("mlp", new int[] {2}, Parameters.of("hiden", 64)), "mlp.hiden", "unknown parameter", "hidden");
        assertMessage(() -> spec("mlp", new int[] {2}, Parameters.of("time_embedding", 5, "dropout", 0.1)), "mlp.time_embedding = 5", "even number >= 4");
        assertMessage(() -> spec("mlp", new int[] {2}, Parameters.of("dropout", 1.0)), "mlp.dropout = 1.0", "[0, 1)");
        assertMessage(() -> spec("unet", new int[] {1, 8, 8}, Parameters.of("channels", 8, "groups", 3)), "groups = 3", "8 channels");
        assertMessage(() -> spec("unet", new int[] {1, 10, 10}, Parameters.of("channels", 8, "channel_mult", List.of(1, 2, 2))),
                "sample_shape = '[1, 10, 10]'", "multiples of 2^(levels-1) = 4");
        assertMessage(() -> spec("unet", new int[] {1, 8, 8}, Parameters.of("channels", 8, "channel_mult", List.of(1, 2), "attention_levels", List.of(2))),
                "attention_levels", "[0, 1]");
        assertMessage(() -> spec("transformer", new int[] {2}, Parameters.empty()), "architecture = 'transformer'", "mlp, unet or diffusers-unet");
        assertMessage(() -> backend.newClassifier(new NetworkSpec("classifier", new int[] {2}, 1, Parameterization.EPSILON, Parameters.empty()),
                OptimizerSettings.defaults()), "num_classes = 1", "at least 2 classes");
    }

    private static TrainableDenoiser spec(String architecture, int[] shape, Parameters p) {
        return backend.newDenoiser(new NetworkSpec(architecture, shape, 0, Parameterization.EPSILON, p), OptimizerSettings.defaults());
    }
}
