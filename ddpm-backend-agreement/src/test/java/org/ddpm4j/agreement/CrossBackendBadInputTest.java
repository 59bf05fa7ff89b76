package org.ddpm4j.agreement;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Safetensors;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.testkit.DirectorySnapshot;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A damaged checkpoint written by one backend is refused by the other with an error that names the
 * array, what it holds and what the network allows, and is left as it was.
 */
class CrossBackendBadInputTest extends OnBothBackends {
    private static NetworkSpec mlp(int hidden) {
        return new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.of("hidden", hidden, "blocks", 1));
    }

    /** Five training steps of an mlp of width 16 on {@code backend}, saved as a checkpoint in {@code dir}. */
    private static Path checkpoint(NetworkBackend backend, Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        store.writeCard(ModelCard.of("denoiser", mlp(16), Backends.SCHEDULE, backend.name(), Map.of()));
        try (TrainableDenoiser model = backend.newDenoiser(mlp(16), OptimizerSettings.defaults())) {
            new Trainer(new TrainingSettings(5, 32, 1e-3, 0, false, 1, 0, 1), TrainingData2d.clusters(64, false), backend,
                    TrainingListener.NONE).trainDenoiser(model, Objective.simple(Backends.SCHEDULE), Optional.of(store), false);
        }
        return store.latest().orElseThrow().stateFile();
    }


    /** Loads {@code dir} on the other backend; it must fail naming every one of {@code mentions}, and change no file. */
    private void refusedElsewhere(String writer, Path dir, String... mentions) throws IOException {
        DirectorySnapshot before = DirectorySnapshot.of(dir);
        NetworkBackend reader = backends.other(backends.named(writer));
        String message = assertThrows(InvalidParameterException.class, () -> Models.loadDenoiser(dir, reader, Backends.REGISTRY).close())
                .getMessage();
        for (String m : mentions) {
            assertTrue(message.contains(m), reader.name() + " reading a " + writer + " checkpoint: '" + m + "' in: " + message);
        }
        before.assertUnchanged();
    }

    @ParameterizedTest(name = "written by {0}")
    @ValueSource(strings = {"djl", "tf"})
    void aWeightStoredInAnotherLayoutIsNamedWithBothShapes(String writer, @TempDir Path dir) throws IOException {
        Path state = checkpoint(backends.named(writer), dir);
        // The mistake a converter would make: a dense weight written [in, out] (TensorFlow's own layout) instead of [out, in].
        Map<String, HostArray> arrays = new LinkedHashMap<>(Safetensors.read(state));
        HostArray output = arrays.get("weights/output.weight");
        arrays.put("weights/output.weight", new HostArray(new int[] {16, 2}, output.data()));
        Safetensors.write(state, arrays, null);
        // as a converter writes it: without the SHA-256 our own checkpoints record (which would report the file as damaged)
        Map<String, Object> training = new LinkedHashMap<>(Json.readObject(state.resolveSibling("training.json")));
        training.remove("state_sha256");
        Json.write(training, state.resolveSibling("training.json"));
        refusedElsewhere(writer, dir, "weights/output.weight", "[16, 2]", "[2, 16]");
    }

    @ParameterizedTest(name = "written by {0}")
    @ValueSource(strings = {"djl", "tf"})
    void aModelCardThatDoesNotMatchTheWeightsIsNamed(String writer, @TempDir Path dir) throws IOException {
        checkpoint(backends.named(writer), dir);
        Path card = dir.resolve(ModelCard.FILE);
        Files.writeString(card, Files.readString(card).replace("\"hidden\" : 16", "\"hidden\" : 32"));
        refusedElsewhere(writer, dir, "weights/", "[16", "[32");
    }

    @ParameterizedTest(name = "written by {0}")
    @ValueSource(strings = {"djl", "tf"})
    void aTruncatedWeightsFileIsNamed(String writer, @TempDir Path dir) throws IOException {
        Path state = checkpoint(backends.named(writer), dir);
        byte[] bytes = Files.readAllBytes(state);
        Files.write(state, Arrays.copyOf(bytes, bytes.length / 2));
        refusedElsewhere(writer, dir, state.toString(), "truncated");
    }

    @ParameterizedTest(name = "written by {0}")
    @ValueSource(strings = {"djl", "tf"})
    void aTruncatedModelCardIsNamedWithItsPosition(String writer, @TempDir Path dir) throws IOException {
        checkpoint(backends.named(writer), dir);
        Path card = dir.resolve(ModelCard.FILE);
        String text = Files.readString(card);
        Files.writeString(card, text.substring(0, text.length() / 2));
        refusedElsewhere(writer, dir, card.toString(), "malformed JSON at line");
    }
}
