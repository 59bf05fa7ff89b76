package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.pipeline.SamplerChoice;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The sampler and schedule options of a command: a diffusers {@code scheduler_config.json}, or a
 * sampler plugin by name on a schedule plugin by name, with {@code --param} / {@code --schedule-param};
 * the composition root resolves them ({@link SamplerChoice}) on the model's schedule.
 */
final class SamplerSource {

    static final class Choice {
        @Option(names = "--scheduler-config", paramLabel = "FILE", description = "A diffusers scheduler_config.json (_class_name picks the sampler).")
        Path schedulerConfig;

        @Option(names = "--sampler", paramLabel = "NAME", description = "A sampler plugin (see 'ddpm plugins'; default "
                + SamplerChoice.DEFAULT_SAMPLER + " with " + SamplerChoice.DEFAULT_STEPS + " steps unless --steps says otherwise).")
        String sampler;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice = new Choice();

    @Option(names = "--schedule", paramLabel = "NAME", description = "The schedule plugin for --sampler and an analytic denoiser (default: linear).")
    String schedule;

    @Option(names = "--schedule-param", paramLabel = "KEY=VALUE", description = "A parameter of --schedule (repeatable).")
    Map<String, String> scheduleParams = new LinkedHashMap<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter, e.g. timestep_spacing=trailing (repeatable).")
    Map<String, String> samplerParams = new LinkedHashMap<>();

    /** The options as the composition root's {@link SamplerChoice}, with {@code run} parameters ({@code steps}, {@code eta}) over --param. */
    SamplerChoice choice(Map<String, Object> run) {
        Map<String, Object> parameters = KeyValues.parse(samplerParams);
        parameters.putAll(run);
        return new SamplerChoice(choice.schedulerConfig == null ? null : choice.schedulerConfig.toString(), choice.sampler, schedule, KeyValues.parse(scheduleParams), parameters);
    }

    /** A line naming the sampler chosen for the user, or empty when they named one. */
    Optional<String> defaultNote(Sampler sampler) {
        return choice.sampler != null || choice.schedulerConfig != null ? Optional.empty()
                : Optional.of("sampler: " + SamplerChoice.DEFAULT_SAMPLER + " with " + sampler.steps() + " steps (the default; --sampler NAME "
                        + "chooses another)");
    }
}
