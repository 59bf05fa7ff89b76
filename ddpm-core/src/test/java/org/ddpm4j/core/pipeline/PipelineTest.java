package org.ddpm4j.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.plugin.UnknownPluginException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {

    @Test
    void buildsBackendScheduleAndDenoiserFromJson(@TempDir Path dir) throws Exception {
        Path mixture = dir.resolve("mixture.json");
        Files.writeString(mixture, "{\"weights\": [0.25, 0.75], \"means\": [[-1, 0], [2, 1]], \"stds\": [0.5, 0.25]}");
        PipelineConfig config = PipelineConfig.parse("""
                {"schedule": {"type": "geometric", "num_train_timesteps": 100},
                 "denoiser": {"type": "gmm", "path": "%s"}}
                """.formatted(mixture));
        try (Pipeline pipeline = Pipelines.build(config)) {
            assertEquals("java", pipeline.backend().name());
            Denoiser d = pipeline.model();
            double[] eps = d.predict(pipeline.backend().fromHost(new double[] {0.1, 0.2}, 1, 2), 50.0, Condition.none()).toDoubleArray();
            assertEquals(2, eps.length);
            assertTrue(Double.isFinite(eps[0]) && Double.isFinite(eps[1]));
        }
    }

    @Test
    void anUnknownPluginNameListsTheKnownOnes() {
        PipelineConfig config = PipelineConfig.parse("{\"schedule\": {\"type\": \"cosinus\"}}");
        UnknownPluginException e = assertThrows(UnknownPluginException.class, () -> Pipelines.build(config));
        assertTrue(e.getMessage().contains("'cosinus'") && e.getMessage().contains("geometric"), e.getMessage());
    }

    @Test
    void parametersAreValidatedWhenThePipelineIsBuilt() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pipelines.build(
                PipelineConfig.parse("{\"schedule\": {\"type\": \"geometric\", \"beta\": 1.5}}")));
        assertTrue(e.getMessage().contains("schedule.beta") && e.getMessage().contains("1.5") && e.getMessage().contains("(0.0, 1.0)"),
                e.getMessage());
    }

    @Test
    void anUnsupportedParameterIsAnErrorNotIgnored() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pipelines.build(
                PipelineConfig.parse("{\"schedule\": {\"type\": \"geometric\", \"betta\": 0.1}}")));
        assertTrue(e.getMessage().contains("schedule.betta") && e.getMessage().contains("supported: beta, num_train_timesteps"),
                e.getMessage());
    }

    @Test
    void malformedJsonNamesTheLocation() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> PipelineConfig.parse("{\"schedule\": {\"type\": \"geometric\",}\n"));
        assertTrue(e.getMessage().contains("malformed JSON at line 1"), e.getMessage());
    }

    @Test
    void unknownSectionsAndMissingTypesAreErrors() {
        assertThrows(InvalidParameterException.class, () -> PipelineConfig.parse("{\"schedule\": \"linear\", \"sampelr\": {}}"));
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> PipelineConfig.parse("{\"schedule\": {\"num_train_timesteps\": 10}}"));
        assertTrue(e.getMessage().contains("schedule.type"), e.getMessage());
        assertThrows(InvalidParameterException.class, () -> PipelineConfig.parse("{}"));
    }
}
