package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.model.SamplerChoice;
import org.ddpm4j.core.plugin.PluginRegistry;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The sampler and schedule of a command: a diffusers {@code scheduler_config.json}, or a sampler
 * plugin by name on a schedule plugin by name, with {@code --param} / {@code --schedule-param}. A
 * trained model fixes the schedule: then a scheduler config must describe the same one.
 */
final class SamplerSource {

    static final class Choice {
        @Option(names = "--scheduler-config", paramLabel = "FILE", description = "A diffusers scheduler_config.json (_class_name picks the sampler).")
        Path schedulerConfig;

        @Option(names = "--sampler", paramLabel = "NAME", description = "A sampler plugin (see 'ddpm plugins'; default "
                + DEFAULT_SAMPLER + " with " + DEFAULT_STEPS + " steps unless --steps says otherwise).")
        String sampler;
    }

    static final String DEFAULT_SAMPLER = SamplerChoice.DEFAULT_SAMPLER;
    static final int DEFAULT_STEPS = SamplerChoice.DEFAULT_STEPS;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice = new Choice();

    @Option(names = "--schedule", paramLabel = "NAME", description = "The schedule plugin for --sampler and an analytic denoiser (default: linear).")
    String schedule;

    @Option(names = "--schedule-param", paramLabel = "KEY=VALUE", description = "A parameter of --schedule (repeatable).")
    Map<String, String> scheduleParams = new LinkedHashMap<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter, e.g. timestep_spacing=trailing (repeatable).")
    Map<String, String> samplerParams = new LinkedHashMap<>();

    /** The options as the library's choice, which resolves them (the same way for a distributed job). */
    SamplerChoice choice() {
        return new SamplerChoice(choice.schedulerConfig == null ? null : choice.schedulerConfig.toString(), choice.sampler, schedule,
                KeyValues.parse(scheduleParams), KeyValues.parse(samplerParams));
    }

    SamplerChoice.Resolved resolve(PluginRegistry registry, Map<String, Object> run) {
        return resolve(registry, run, Optional.empty());
    }

    /** As {@link #resolve(PluginRegistry, Map)}, on the schedule {@code fixed} of a trained model when present. */
    SamplerChoice.Resolved resolve(PluginRegistry registry, Map<String, Object> run, Optional<Schedule> fixed) {
        return resolve(registry, run, fixed, Optional.empty());
    }

    /** As {@link SamplerChoice#resolve(PluginRegistry, Map, Optional, Optional)}. */
    SamplerChoice.Resolved resolve(PluginRegistry registry, Map<String, Object> run, Optional<Schedule> fixed, Optional<Path> pretrained) {
        return choice().resolve(registry, run, fixed, pretrained);
    }

    /** A line naming the sampler chosen for the user, or empty when they named one. */
    Optional<String> defaultNote(SamplerChoice.Resolved resolved) {
        return choice.sampler != null || choice.schedulerConfig != null ? Optional.empty()
                : Optional.of("sampler: " + DEFAULT_SAMPLER + " with " + resolved.sampler().steps() + " steps (the default; --sampler NAME "
                        + "chooses another)");
    }
}
