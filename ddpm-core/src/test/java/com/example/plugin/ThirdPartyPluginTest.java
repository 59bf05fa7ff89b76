package com.example.plugin;

import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.plugin.PluginKind;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.ScheduleContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The proof that a third party can extend ddpm4j without touching it: a schedule in its own
 * package, registered only through META-INF/services, found by the registry, used by name from a
 * JSON pipeline configuration, and passing the testkit contract.
 */
class ThirdPartyPluginTest {

    @Test
    void theRegistryFindsThePluginThroughServiceLoader() {
        PluginRegistry registry = PluginRegistry.load();
        assertTrue(registry.list(PluginKind.SCHEDULE).containsKey("geometric"));
        assertEquals(GeometricPlugin.class.getName(), registry.origin(PluginKind.SCHEDULE, "geometric"));
    }

    @Test
    void aJsonPipelineUsesItByName() {
        PipelineConfig config = PipelineConfig.parse("""
                {"backend": {"type": "java"},
                 "schedule": {"type": "geometric", "num_train_timesteps": 200, "beta": 0.02}}
                """);
        try (Pipeline pipeline = Pipelines.build(config)) {
            Schedule s = pipeline.schedule();
            assertTrue(s instanceof GeometricSchedule);
            assertEquals(Math.pow(0.98, 100), s.alphaBar(99.0), 1e-15);
        }
    }

    @Nested
    class PassesTheScheduleContract extends ScheduleContract {
        @Override
        protected List<ScheduleFactory> schedules() {
            return new GeometricPlugin().schedules();
        }

        @Override
        protected TensorBackend backend() {
            return new JavaBackend();
        }
    }
}
