package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.core.plugin.PluginRegistry;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The sampler and schedule of a command: a diffusers {@code scheduler_config.json}, or a sampler
 * plugin by name on a schedule plugin by name, with {@code --param} / {@code --schedule-param}.
 */
final class SamplerSource {

    static final class Choice {
        @Option(names = "--scheduler-config", paramLabel = "FILE", description = "A diffusers scheduler_config.json (_class_name picks the sampler).")
        Path schedulerConfig;

        @Option(names = "--sampler", paramLabel = "NAME", description = "A sampler plugin (see 'ddpm plugins').")
        String sampler;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Option(names = "--schedule", paramLabel = "NAME", description = "The schedule plugin for --sampler (default: ${DEFAULT-VALUE}).", defaultValue = "linear")
    String schedule;

    @Option(names = "--schedule-param", paramLabel = "KEY=VALUE", description = "A parameter of --schedule (repeatable).")
    Map<String, String> scheduleParams = new LinkedHashMap<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter, e.g. timestep_spacing=trailing (repeatable).")
    Map<String, String> samplerParams = new LinkedHashMap<>();

    /** A schedule, a sampler configured for a run with {@code run} parameters, and what the model is asked to predict. */
    record Resolved(Schedule schedule, Sampler sampler, Parameterization predictionType) {
    }

    Resolved resolve(PluginRegistry registry, Map<String, Object> run) {
        Map<String, Object> parameters = new LinkedHashMap<>(samplerParams);
        parameters.putAll(run);
        if (choice.schedulerConfig != null) {
            if (!scheduleParams.isEmpty()) {
                throw new IllegalArgumentException("--schedule-param applies to --sampler; a scheduler config holds its schedule");
            }
            DiffusersScheduler d = DiffusersScheduler.read(choice.schedulerConfig, parameters, registry);
            return new Resolved(d.schedule(), d.sampler(), d.predictionType());
        }
        Schedule s = registry.createSchedule(schedule, Parameters.of(new LinkedHashMap<>(scheduleParams)));
        return new Resolved(s, registry.createSampler(choice.sampler, s, Parameters.of(parameters)), null);
    }
}
