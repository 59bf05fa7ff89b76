package org.ddpm4j.core.pipeline;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.pretrained.Pretrained;

/**
 * The sampler and schedule a user chose ({@link PipelineParts#sampler(SamplerChoice)}): a diffusers
 * {@code scheduler_config.json}, or a sampler plugin by name on a schedule plugin by name; either
 * may be left out. A trained model fixes the schedule (a scheduler config must then describe the
 * same one); a diffusers model folder's scheduler is the default. A sampler named together with a
 * scheduler config (or a model folder's) swaps its algorithm as diffusers'
 * {@code NewScheduler.from_config(old.config)} does. Serializable (strings and maps of plain values),
 * so a distributed job ships the user's choice and every executor resolves it the same way.
 *
 * @param schedulerConfig    the path of a diffusers scheduler configuration, or null
 * @param sampler            a sampler plugin, or null for {@link #DEFAULT_SAMPLER} with {@link #DEFAULT_STEPS} steps
 * @param schedule           a schedule plugin, or null for {@code linear} (or the model's)
 * @param scheduleParameters parameters of {@code schedule}
 * @param samplerParameters  parameters of the sampler (or run parameters of the scheduler config: {@code steps}, {@code eta}, ...)
 */
public record SamplerChoice(String schedulerConfig, String sampler, String schedule, Map<String, Object> scheduleParameters,
                            Map<String, Object> samplerParameters) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The sampler when none is named: fast and accurate in few steps, no clipping. */
    public static final String DEFAULT_SAMPLER = "dpmsolver++";
    public static final int DEFAULT_STEPS = 25;

    public SamplerChoice {
        scheduleParameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scheduleParameters));
        samplerParameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(samplerParameters));
    }

    /** The default sampler with its default steps, on the model's (or linear) schedule. */
    public static SamplerChoice defaults() {
        return new SamplerChoice(null, null, null, Map.of(), Map.of());
    }

    /** A sampler plugin with its parameters on the schedule the model or the configuration gives. */
    public static SamplerChoice of(String sampler, Map<String, Object> parameters) {
        return new SamplerChoice(null, sampler, null, Map.of(), parameters);
    }

    /** True when the user named neither a sampler nor a scheduler config. */
    public boolean isDefault() {
        return sampler == null && schedulerConfig == null;
    }

    /** A schedule, a sampler for it, and what the model is asked to predict (null: what it predicts). */
    record Resolved(Schedule schedule, Sampler sampler, Parameterization predictionType) {
    }

    /** Resolved on the schedule {@code fixed} of a trained model when present, with the scheduler of the folder {@code pretrained}. */
    Resolved resolve(PluginRegistry registry, Optional<Schedule> fixed, Optional<Path> pretrained) {
        Map<String, Object> parameters = new LinkedHashMap<>(samplerParameters);
        String className = null;   // a sampler named with a diffusers configuration: carried over to its class (from_config)
        if (sampler != null && (pretrained.isPresent() || schedulerConfig != null)) {
            List<String> classes = registry.sampler(sampler).diffusersClassNames();
            if (classes.isEmpty()) {
                throw new InvalidParameterException("--sampler", sampler, "has no diffusers scheduler class to carry the "
                        + "folder's configuration over to; use --scheduler-config");
            }
            className = classes.get(0);
        }
        if (pretrained.isPresent() && schedulerConfig == null) {
            if (schedule != null || !scheduleParameters.isEmpty()) {
                throw new InvalidParameterException("--schedule", schedule == null ? scheduleParameters : schedule,
                        "is fixed by the model folder's scheduler configuration; leave it out");
            }
            DiffusersScheduler d = Pretrained.scheduler(pretrained.get(), className, parameters, registry);
            return new Resolved(d.schedule(), d.sampler(), d.predictionType());
        }
        if (fixed.isPresent() && (schedule != null || !scheduleParameters.isEmpty())) {
            throw new InvalidParameterException("--schedule", schedule == null ? scheduleParameters : schedule,
                    "is fixed by the model (" + fixed.get().name() + " " + fixed.get().parameters() + "); leave it out");
        }
        if (schedulerConfig != null) {
            if (!scheduleParameters.isEmpty()) {
                throw new IllegalArgumentException("--schedule-param applies to --sampler; a scheduler config holds its schedule");
            }
            DiffusersScheduler d = DiffusersScheduler.read(Path.of(schedulerConfig), className, parameters, registry);
            fixed.ifPresent(f -> requireSame(f, d.schedule()));
            return new Resolved(d.schedule(), d.sampler(), d.predictionType());
        }
        Schedule s = fixed.orElseGet(() -> registry.createSchedule(schedule == null ? "linear" : schedule, Parameters.of(scheduleParameters)));
        String name = sampler;
        if (name == null) {
            name = DEFAULT_SAMPLER;
            parameters.putIfAbsent("steps", DEFAULT_STEPS);
        }
        return new Resolved(s, registry.createSampler(name, s, Parameters.of(parameters)), null);
    }

    /** A scheduler config used with a trained model must describe the schedule it was trained with. */
    private void requireSame(Schedule model, Schedule config) {
        boolean same = model instanceof DiscreteSchedule a && config instanceof DiscreteSchedule b
                && Arrays.equals(a.alphaBars(), b.alphaBars())
                || model instanceof FlowSchedule f && config instanceof FlowSchedule g
                && f.path().name().equals(g.path().name()) && f.timeScale() == g.timeScale();
        if (!same) {
            throw new InvalidParameterException("--scheduler-config", schedulerConfig, "describes schedule " + config.name()
                    + " " + config.parameters() + ", but the model was trained with " + model.name() + " " + model.parameters());
        }
    }
}
