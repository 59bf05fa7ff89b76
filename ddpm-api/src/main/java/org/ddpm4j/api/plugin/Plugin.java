package org.ddpm4j.api.plugin;

import java.util.List;

/**
 * The entry point of a jar that adds to ddpm4j. A plugin lists named factories; the host finds
 * plugins with {@link java.util.ServiceLoader}, so a jar contributes by naming its implementation in
 * {@code META-INF/services/org.ddpm4j.api.plugin.Plugin}. Names are unique per kind across all
 * plugins.
 *
 * <pre>{@code
 * public final class MyPlugin implements Plugin {
 *     public List<ScheduleFactory> schedules() {
 *         return List.of(ScheduleFactory.of("exponential", "alphaBar = exp(-k t)", MySchedule::new));
 *     }
 * }
 * }</pre>
 */
public interface Plugin {

    default List<ScheduleFactory> schedules() {
        return List.of();
    }

    default List<SamplerFactory> samplers() {
        return List.of();
    }

    default List<GuidanceFactory> guidances() {
        return List.of();
    }

    default List<BackendFactory> backends() {
        return List.of();
    }

    default List<DenoiserFactory> denoisers() {
        return List.of();
    }

    default List<ClassifierFactory> classifiers() {
        return List.of();
    }
}
