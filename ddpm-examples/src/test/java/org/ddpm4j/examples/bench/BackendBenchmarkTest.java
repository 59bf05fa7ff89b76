package org.ddpm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.api.Test;

/** The overhead ratio means something only if the plugin and the hand loop make the same denoiser calls. */
class BackendBenchmarkTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();
    private static final DiscreteSchedule SCHEDULE = (DiscreteSchedule) REGISTRY.createSchedule("linear", Parameters.empty());

    @Test
    void theDdimPluginWithLeadingStepsIsComparedWithTheHandLoop() {
        assertDoesNotThrow(() -> new BackendBenchmark(null, SCHEDULE,
                REGISTRY.createSampler("ddim", SCHEDULE, Parameters.of("steps", BackendBenchmark.DDIM_STEPS)), 1));
    }

    @Test
    void aSamplerThatStepsThroughOtherTimesIsRefused() {
        String message = assertThrows(IllegalArgumentException.class, () -> new BackendBenchmark(null, SCHEDULE,
                REGISTRY.createSampler("ddim", SCHEDULE, Parameters.of("steps", BackendBenchmark.DDIM_STEPS, "timestep_spacing", "trailing")),
                1)).getMessage();
        assertTrue(message.contains("the same denoiser calls"), message);
    }
}
