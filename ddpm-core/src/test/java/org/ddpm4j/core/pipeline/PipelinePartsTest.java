package org.ddpm4j.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.training.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts a command hands the composition root: a model source, a sampler choice, and the entries a pipeline resolves later. */
class PipelinePartsTest {
    private static final PipelineConfig JAVA = PipelineConfig.of(ComponentConfig.of("java"));

    private static ModelSource mixture(Path dir) throws Exception {
        Path file = dir.resolve("mixture.json");
        Files.writeString(file, "{\"weights\": [0.25, 0.75], \"means\": [[-1, 0], [2, 1]], \"stds\": [0.5, 0.25]}");
        return ModelSource.parse("--denoiser", "gmm:" + file);
    }

    /** A trained model's directory with only its model card: its schedule is geometric with 50 steps. */
    private static ModelSource checkpoint(Path dir) {
        NetworkSpec spec = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.empty());
        new ModelCard("denoiser", spec, List.of(), new ComponentConfig("geometric", Map.of("num_train_timesteps", 50)), "djl", Map.of(),
                Map.of()).write(dir.resolve(ModelCard.FILE));
        return ModelSource.checkpoint("--checkpoint", dir);
    }

    @Test
    void anAnalyticModelAndAChosenSamplerAreLoadedOnThePipelinesBackendAndSchedule(@TempDir Path dir) throws Exception {
        PipelineParts parts = PipelineParts.none().model(mixture(dir))
                .sampler(new SamplerChoice(null, "test-ddim", "geometric", Map.of("num_train_timesteps", 40), Map.of("steps", 5)));
        try (Pipeline pipeline = Pipelines.build(JAVA, parts)) {
            assertEquals("geometric", pipeline.schedule().name());
            assertEquals(40, pipeline.schedule().parameters().getInt("num_train_timesteps", 0));
            assertEquals("test-ddim", pipeline.requireSampler().name());
            assertEquals(5, pipeline.requireSampler().steps());
            assertTrue(pipeline.model() instanceof GaussianMixtureDenoiser, pipeline.model().toString());
            assertSame(pipeline.model(), pipeline.loadedModel().orElseThrow().denoiser());
            assertTrue(pipeline.loadedModel().orElseThrow().card().isEmpty(), "an analytic model has no card");
        }
    }

    @Test
    void aTrainedModelBringsItsScheduleAndRefusesAnother(@TempDir Path dir) {
        ModelSource trained = checkpoint(dir);
        // the model's schedule, with the model replaced by a loader (a trained network needs djl or tf)
        GaussianMixtureDenoiser[] loaded = new GaussianMixtureDenoiser[1];
        PipelineParts parts = PipelineParts.none().model(trained).sampler(SamplerChoice.of("test-ddim", Map.of("steps", 4)))
                .denoiser((backend, schedule, owns) -> loaded[0] = new GaussianMixtureDenoiser(
                        org.ddpm4j.backend.java.analytic.GaussianMixture.fromParameters(Parameters.of(Map.of("weights", List.of(1.0),
                                "means", List.of(List.of(0.0)), "stds", List.of(1.0)))), schedule, false));
        try (Pipeline pipeline = Pipelines.build(JAVA, parts)) {
            assertEquals("geometric", pipeline.schedule().name());
            assertEquals(50, pipeline.schedule().parameters().getInt("num_train_timesteps", 0));
            assertSame(loaded[0], pipeline.model());
        }
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pipelines.build(JAVA,
                PipelineParts.none().model(trained).sampler(new SamplerChoice(null, "test-ddim", "geometric", Map.of(), Map.of()))));
        assertTrue(e.getMessage().contains("is fixed by the model (geometric") && e.getMessage().contains("num_train_timesteps=50"),
                e.getMessage());
    }

    @Test
    void withoutAScheduleFromTheConfigurationOrThePartsTheBuildSaysSo() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pipelines.build(JAVA, PipelineParts.none()));
        assertEquals("schedule", e.parameter(), e.getMessage());
    }

    @Test
    void aPipelineResolvesFurtherEntriesOnItsSchedule(@TempDir Path dir) throws Exception {
        PipelineConfig config = JAVA.withSchedule(new ComponentConfig("geometric", Map.of("num_train_timesteps", 30)));
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(mixture(dir)))) {
            var sampler = pipeline.sampler(new ComponentConfig("test-ddim", Map.of("steps", 3)));
            assertSame(pipeline.schedule(), sampler.schedule());
            assertEquals(3, sampler.steps());
            assertEquals(10, pipeline.schedule(new ComponentConfig("geometric", Map.of("num_train_timesteps", 10)))
                    .parameters().getInt("num_train_timesteps", 0));
            Tensor x = pipeline.backend().fromHost(new double[] {0.5, -0.5}, 1, 2);
            double[] plain = pipeline.model().predict(x, 10.0, Condition.none()).toDoubleArray();
            double[] scaled = pipeline.guidance(new ComponentConfig("test-scale", Map.of("factor", 3.0)))
                    .guide(pipeline.model(), org.ddpm4j.api.guidance.GuidanceContext.of(pipeline.schedule()))
                    .predict(x, 10.0, Condition.none()).toDoubleArray();
            assertEquals(3 * plain[0], scaled[0], 1e-12);
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> pipeline.sampler(new ComponentConfig("test-ddim", Map.of("steps", 0))));
            assertTrue(e.getMessage().contains("steps"), e.getMessage());
        }
    }
}
