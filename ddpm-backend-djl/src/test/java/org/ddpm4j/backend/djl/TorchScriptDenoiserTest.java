package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TorchScript files made by {@code tools/djl-reference/make_torchscript.py}: the exact noise
 * predictor of Gaussian data, so DDIM must reproduce the Gaussian's mean and spread.
 */
class TorchScriptDenoiserTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();
    private static DjlBackend backend;
    private static DiscreteSchedule schedule;

    @BeforeAll
    static void open() {
        backend = new DjlBackend("cpu");
        schedule = (DiscreteSchedule) REGISTRY.createSchedule("linear", Parameters.of("num_train_timesteps", 1000));
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Path model(String name) throws URISyntaxException {
        return Path.of(TorchScriptDenoiserTest.class.getResource("/torchscript/" + name + ".pt").toURI());
    }

    private static Denoiser load(String name) throws URISyntaxException {
        return REGISTRY.createDenoiser("torchscript", backend, schedule, Parameters.of("path", model(name).toString()));
    }

    /** Mean and standard deviation of each coordinate of points {@code [n, 2]}. */
    private static double[] moments(Tensor points) {
        float[] f = points.toFloatArray();
        int n = f.length / 2;
        double[] m = new double[4];
        for (int i = 0; i < f.length; i++) {
            m[i % 2] += f[i] / n;
        }
        for (int i = 0; i < f.length; i++) {
            m[2 + i % 2] += (f[i] - m[i % 2]) * (f[i] - m[i % 2]) / n;
        }
        m[2] = Math.sqrt(m[2]);
        m[3] = Math.sqrt(m[3]);
        return m;
    }

    @Test
    void predictsTheExactNoiseOfGaussianData() throws URISyntaxException {
        Denoiser d = load("gaussian");
        assertEquals(Parameterization.EPSILON, d.parameterization());
        int t = 500;
        double ab = schedule.alphaBar(t);
        float[] x = {0.3f, -0.7f};
        float[] eps = d.predict(backend.fromHost(x, 1, 2), t, Condition.none()).toFloatArray();
        double[] mean = {1, -2};
        for (int j = 0; j < 2; j++) {
            double expected = Math.sqrt(1 - ab) * (x[j] - Math.sqrt(ab) * mean[j]) / (ab * 0.25 + 1 - ab);
            assertEquals(expected, eps[j], 1e-5);
        }
    }

    @Test
    void ddimSamplesFromTheTorchScriptModelHaveTheDataDistribution() throws URISyntaxException {
        Denoiser d = load("gaussian");
        try (TensorScope scope = backend.openScope()) {
            double[] m = moments(Ddim.sample(d, schedule, backend.randn(new GaussianNoise(1), 2000, 2), 50, Condition.none()));
            assertEquals(1.0, m[0], 0.05);
            assertEquals(-2.0, m[1], 0.05);
            assertEquals(0.5, m[2], 0.05);
            assertEquals(0.5, m[3], 0.05);
        }
    }

    @Test
    void aConditionalModelTakesTheClassAndTheNullClass() throws URISyntaxException {
        Denoiser d = load("gaussian_conditional");
        assertEquals(3, d.numClasses());
        try (TensorScope scope = backend.openScope()) {
            double[] m = moments(Ddim.sample(d, schedule, backend.randn(new GaussianNoise(2), 1000, 2), 50, Condition.repeat(2, 1000)));
            assertEquals(0.0, m[0], 0.07);
            assertEquals(2.0, m[1], 0.07);
            double[] unconditional = moments(Ddim.sample(d, schedule, backend.randn(new GaussianNoise(3), 1000, 2), 50,
                    Condition.repeat(Condition.NULL_CLASS, 1000)));
            assertEquals(0.0, unconditional[0], 0.07, "the null class (row K of the model) is centred");
            assertEquals(0.0, unconditional[1], 0.07);
        }
    }

    @Test
    void badFilesAndInputsAreExplained(@TempDir Path dir) throws IOException, URISyntaxException {
        Path corrupt = dir.resolve("broken.pt");
        Files.writeString(corrupt, "not a zip archive");
        Files.copy(TorchScriptDenoiser.sidecarOf(model("gaussian")), dir.resolve("broken.json"));
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> new TorchScriptDenoiser(backend, corrupt));
        assertTrue(e.getMessage().contains("is not a loadable TorchScript file"), e.getMessage());

        Path lonely = dir.resolve("lonely.pt");
        Files.copy(model("gaussian"), lonely);
        e = assertThrows(InvalidParameterException.class, () -> new TorchScriptDenoiser(backend, lonely));
        assertTrue(e.getMessage().contains("needs its JSON sidecar"), e.getMessage());

        Path truncated = dir.resolve("truncated.pt");
        Files.copy(model("gaussian"), truncated);
        String sidecar = Files.readString(TorchScriptDenoiser.sidecarOf(model("gaussian")));
        Files.writeString(dir.resolve("truncated.json"), sidecar.substring(0, sidecar.length() / 2));
        e = assertThrows(InvalidParameterException.class, () -> new TorchScriptDenoiser(backend, truncated));
        assertTrue(e.getMessage().contains("truncated.json") && e.getMessage().contains("malformed JSON at line"), e.getMessage());

        e = assertThrows(InvalidParameterException.class, () -> REGISTRY.createDenoiser("torchscript", backend,
                REGISTRY.createSchedule("cosine", Parameters.empty()), Parameters.of("path", model("gaussian").toString())));
        assertTrue(e.getMessage().contains("declares linear"), e.getMessage());

        Denoiser d = load("gaussian");
        e = assertThrows(InvalidParameterException.class, () -> d.predict(backend.zeros(2, 3), 5.0, Condition.none()));
        assertTrue(e.getMessage().contains("[batch, 2]"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> d.predict(backend.zeros(2, 2), 5.0, Condition.classes(1, 1)));
        assertTrue(e.getMessage().contains("unconditional"), e.getMessage());
    }
}
