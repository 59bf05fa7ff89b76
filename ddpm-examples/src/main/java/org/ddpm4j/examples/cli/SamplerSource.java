package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.pretrained.Pretrained;
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

    /** The sampler when none is named: fast and accurate in few steps, no clipping (the demo's too). */
    static final String DEFAULT_SAMPLER = "dpmsolver++";
    static final int DEFAULT_STEPS = 25;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice = new Choice();

    @Option(names = "--schedule", paramLabel = "NAME", description = "The schedule plugin for --sampler and an analytic denoiser (default: linear).")
    String schedule;

    @Option(names = "--schedule-param", paramLabel = "KEY=VALUE", description = "A parameter of --schedule (repeatable).")
    Map<String, String> scheduleParams = new LinkedHashMap<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter, e.g. timestep_spacing=trailing (repeatable).")
    Map<String, String> samplerParams = new LinkedHashMap<>();

    /** A schedule, a sampler configured for a run with {@code run} parameters, and what the model is asked to predict. */
    record Resolved(Schedule schedule, Sampler sampler, Parameterization predictionType) {
    }

    Resolved resolve(PluginRegistry registry, Map<String, Object> run) {
        return resolve(registry, run, Optional.empty());
    }

    /** As {@link #resolve(PluginRegistry, Map)}, on the schedule {@code fixed} of a trained model when present. */
    Resolved resolve(PluginRegistry registry, Map<String, Object> run, Optional<Schedule> fixed) {
        return resolve(registry, run, fixed, Optional.empty());
    }

    /**
     * As {@link #resolve(PluginRegistry, Map, Optional)} for a diffusers model folder {@code pretrained}:
     * its scheduler by default, and {@code --sampler NAME} swaps the algorithm as diffusers'
     * {@code NewScheduler.from_config(old.config)} does (the schedule and every key the new class reads carry over).
     */
    Resolved resolve(PluginRegistry registry, Map<String, Object> run, Optional<Schedule> fixed, Optional<Path> pretrained) {
        Map<String, Object> parameters = KeyValues.parse(samplerParams);
        parameters.putAll(run);
        if (pretrained.isPresent() && choice.schedulerConfig == null) {
            if (schedule != null || !scheduleParams.isEmpty()) {
                throw new InvalidParameterException("--schedule", schedule == null ? scheduleParams : schedule,
                        "is fixed by the model folder's scheduler configuration; leave it out");
            }
            String className = null;
            if (choice.sampler != null) {
                List<String> classes = registry.sampler(choice.sampler).diffusersClassNames();
                if (classes.isEmpty()) {
                    throw new InvalidParameterException("--sampler", choice.sampler, "has no diffusers scheduler class to carry the "
                            + "folder's configuration over to; use --scheduler-config");
                }
                className = classes.get(0);
            }
            DiffusersScheduler d = Pretrained.scheduler(pretrained.get(), className, parameters, registry);
            return new Resolved(d.schedule(), d.sampler(), d.predictionType());
        }
        if (fixed.isPresent() && (schedule != null || !scheduleParams.isEmpty())) {
            throw new InvalidParameterException("--schedule", schedule == null ? scheduleParams : schedule,
                    "is fixed by the model (" + fixed.get().name() + " " + fixed.get().parameters() + "); leave it out");
        }
        if (choice.schedulerConfig != null) {
            if (!scheduleParams.isEmpty()) {
                throw new IllegalArgumentException("--schedule-param applies to --sampler; a scheduler config holds its schedule");
            }
            DiffusersScheduler d = DiffusersScheduler.read(choice.schedulerConfig, parameters, registry);
            fixed.ifPresent(f -> requireSame(f, d.schedule()));
            return new Resolved(d.schedule(), d.sampler(), d.predictionType());
        }
        Schedule s = fixed.orElseGet(() -> registry.createSchedule(schedule == null ? "linear" : schedule,
                Parameters.of(KeyValues.parse(scheduleParams))));
        String name = choice.sampler;
        if (name == null) {
            name = DEFAULT_SAMPLER;
            parameters.putIfAbsent("steps", DEFAULT_STEPS);
        }
        return new Resolved(s, registry.createSampler(name, s, Parameters.of(parameters)), null);
    }

    /** A line naming the sampler chosen for the user, or empty when they named one. */
    Optional<String> defaultNote(Resolved resolved) {
        return choice.sampler != null || choice.schedulerConfig != null ? Optional.empty()
                : Optional.of("sampler: " + DEFAULT_SAMPLER + " with " + resolved.sampler().steps() + " steps (the default; --sampler NAME "
                        + "chooses another)");
    }

    /** A scheduler config used with a trained model must describe the schedule it was trained with. */
    private void requireSame(Schedule model, Schedule config) {
        boolean same = model instanceof DiscreteSchedule a && config instanceof DiscreteSchedule b
                && java.util.Arrays.equals(a.alphaBars(), b.alphaBars())
                || model instanceof org.ddpm4j.api.path.FlowSchedule f && config instanceof org.ddpm4j.api.path.FlowSchedule g
                && f.path().name().equals(g.path().name()) && f.timeScale() == g.timeScale();
        if (!same) {
            throw new InvalidParameterException("--scheduler-config", choice.schedulerConfig.toString(), "describes schedule " + config.name()
                    + " " + config.parameters() + ", but the model was trained with " + model.name() + " " + model.parameters());
        }
    }
}
