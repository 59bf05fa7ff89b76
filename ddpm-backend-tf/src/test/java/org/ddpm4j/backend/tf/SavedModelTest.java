package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.core.training.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export to a SavedModel with its model card, and loading through the {@code savedmodel} factory. */
class SavedModelTest extends WithTfBackend {
    private static final DiscreteSchedule SCHEDULE = Fixtures.linear(100);

    private static Denoiser load(Path dir, Schedule schedule) {
        return Fixtures.REGISTRY.createDenoiser("savedmodel", backend, schedule, Parameters.of("path", dir.toString()));
    }

    /** A network whose EMA differs from its weights, exported. */
    private static TrainableDenoiser exported(NetworkSpec spec, Path dir) {
        TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults().withSeed(5));
        var state = net.exportState();
        state.replaceAll((k, v) -> k.startsWith("ema/") ? new HostArray(v.shape(), scaled(v.data())) : v);
        net.importState(state);
        SavedModels.export(net, SCHEDULE, dir);
        return net;
    }

    private static float[] scaled(float[] v) {
        float[] r = v.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] *= 0.9f;
        }
        return r;
    }

    @Test
    void anExportedMlpPredictsAsItsEmaWeights(@TempDir Path dir) {
        Path model = dir.resolve("mlp");
        try (TrainableDenoiser net = exported(Fixtures.mlp(3, 0.1), model)) {
            Denoiser loaded = load(model, SCHEDULE);
            Tensor x = backend.randn(new GaussianNoise(1), 4, 2);
            double[] t = {0, 17, 50, 99};
            Condition y = Condition.classes(0, 2, Condition.NULL_CLASS, 1);
            assertArrayEquals(net.ema().predict(x, t, y).toFloatArray(), loaded.predict(x, t, y).toFloatArray(), 1e-6f);
            assertEquals(net.parameterization(), loaded.parameterization());
            assertEquals(3, loaded.numClasses());
            assertArrayEquals(new int[] {2}, loaded.sampleShape().orElseThrow());
        }
        ModelCard card = ModelCard.read(model.resolve(SavedModels.CARD));
        assertEquals("mlp", card.spec().architecture());
        assertEquals("linear", card.schedule().type());
        assertTrue(Files.isRegularFile(model.resolve("saved_model.pb")) && Files.isDirectory(model.resolve("variables")));
        assertEquals(1, count(dir), "no temporary directory is left behind");
    }

    @Test
    void anExportedUNetPredictsAsItsEmaWeights(@TempDir Path dir) {
        Path model = dir.resolve("unet");
        try (TrainableDenoiser net = exported(Fixtures.unet(0), model)) {
            Denoiser loaded = load(model, SCHEDULE);
            Tensor x = backend.randn(new GaussianNoise(2), 2, 1, 8, 8);
            double[] t = {3, 77};
            assertArrayEquals(net.ema().predict(x, t, Condition.none()).toFloatArray(), loaded.predict(x, t, Condition.none()).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void badModelDirectoriesFailClearlyAndNothingIsOverwritten(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        exported(Fixtures.mlp(0, 0), model).close();
        byte[] graph = Files.readAllBytes(model.resolve("saved_model.pb"));

        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> SavedModels.export(
                backend.newDenoiser(Fixtures.mlp(0, 0), OptimizerSettings.defaults()), SCHEDULE, model));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertArrayEquals(graph, Files.readAllBytes(model.resolve("saved_model.pb")), "the existing model is untouched");

        e = assertThrows(InvalidParameterException.class, () -> load(model, Fixtures.linear(1000)));
        assertTrue(e.getMessage().contains("was trained with schedule linear") && e.getMessage().contains("num_train_timesteps=1000"), e.getMessage());

        e = assertThrows(InvalidParameterException.class, () -> load(dir.resolve("nowhere"), SCHEDULE));
        assertTrue(e.getMessage().contains("denoiser.path") && e.getMessage().contains("model-card.json"), e.getMessage());

        Path truncated = copy(model, dir.resolve("truncated"));
        Files.write(truncated.resolve("saved_model.pb"), Arrays.copyOf(graph, graph.length / 2));
        e = assertThrows(InvalidParameterException.class, () -> load(truncated, SCHEDULE));
        assertTrue(e.getMessage().contains("not a readable TensorFlow SavedModel"), e.getMessage());

        Path reshaped = copy(model, dir.resolve("reshaped"));
        Files.writeString(reshaped.resolve(SavedModels.CARD), Files.readString(model.resolve(SavedModels.CARD)).replace("\"sample_shape\" : [ 2 ]", "\"sample_shape\" : [ 3 ]"));
        e = assertThrows(InvalidParameterException.class, () -> load(reshaped, SCHEDULE));
        assertTrue(e.getMessage().contains("takes x of shape [-1, 2]") && e.getMessage().contains("sample_shape [3]"), e.getMessage());

        Path broken = copy(model, dir.resolve("broken"));
        Files.writeString(broken.resolve(SavedModels.CARD), "{\"format\": \"ddpm4j-model/1\", \"kind\": ");
        e = assertThrows(InvalidParameterException.class, () -> load(broken, SCHEDULE));
        assertTrue(e.getMessage().contains("malformed JSON at line 1"), e.getMessage());

        Denoiser loaded = load(model, SCHEDULE);
        e = assertThrows(InvalidParameterException.class, () -> loaded.predict(backend.zeros(2, 3), new double[] {1, 2}, Condition.none()));
        assertTrue(e.getMessage().contains("must be [batch, 2]"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> loaded.predict(backend.zeros(2, 2), new double[] {1, 2}, Condition.classes(0, 1)));
        assertTrue(e.getMessage().contains("unconditional"), e.getMessage());
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
        return to;
    }

    private static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void onlyTheTfBackendRunsSavedModels(@TempDir Path dir) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Fixtures.REGISTRY.createDenoiser("savedmodel",
                new JavaBackend(), SCHEDULE, Parameters.of("path", dir.toString())));
        assertTrue(e.getMessage().contains("must be tf"), e.getMessage());
    }
}
