package org.ddpm4j.core.model;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.pretrained.Pretrained;

/**
 * How a run picks its sampler and schedule: a diffusers {@code scheduler_config.json}, or a sampler
 * plugin by name on a schedule plugin by name with their parameters; a trained model fixes the
 * schedule (a scheduler config must then describe the same one), a diffusers model folder brings
 * its own scheduler. The CLI's {@code --scheduler-config}, {@code --sampler}, {@code --schedule},
 * {@code --schedule-param} and {@code --param} options, and a distributed job's, resolve through it,
 * so both build the same sampler from the same choice. Errors name those options.
 *
 * @param schedulerConfig    a diffusers scheduler config file, or null
 * @param sampler            a sampler plugin, or null for {@link #DEFAULT_SAMPLER} with {@link #DEFAULT_STEPS} steps
 * @param schedule           the schedule plugin of an analytic model, or null for {@code linear}
 * @param scheduleParameters parameters of {@code schedule}
 * @param samplerParameters  parameters of the sampler ({@code steps} among them)
 */
public record SamplerChoice(String schedulerConfig, String sampler, String schedule, Map<String, Object> scheduleParameters,
                            Map<String, Object> samplerParameters) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The sampler when none is named: fast and accurate in few steps, no clipping (the demo's too). */
    public static final String DEFAULT_SAMPLER = "dpmsolver++";
    public static final int DEFAULT_STEPS = 25;

    public SamplerChoice {
        if (schedulerConfig != null && sampler != null) {
            throw new InvalidParameterException("--sampler", sampler, "cannot be combined with --scheduler-config " + schedulerConfig
                    + ", whose _class_name picks the sampler");
        }
        scheduleParameters = frozen(scheduleParameters);
        samplerParameters = frozen(samplerParameters);
    }

    /** The default sampler with its default steps. */
    public static SamplerChoice defaults() {
        return new SamplerChoice(null, null, null, Map.of(), Map.of());
    }

    /** A sampler plugin by name with its parameters, on the default (or the model's) schedule. */
    public static SamplerChoice named(String sampler, Map<String, Object> samplerParameters) {
        return new SamplerChoice(null, sampler, null, Map.of(), samplerParameters);
    }

    public SamplerChoice withSchedule(String name, Map<String, Object> parameters) {
        return new SamplerChoice(schedulerConfig, sampler, name, parameters, samplerParameters);
    }

    /** True when the user named neither a sampler nor a scheduler config. */
    public boolean isDefault() {
        return sampler == null && schedulerConfig == null;
    }

    /** A schedule, a sampler configured for a run, and what the model is asked to predict (null: whatever it predicts). */
    public record Resolved(Schedule schedule, Sampler sampler, Parameterization predictionType) {

        /**
         * The model asked for the scheduler config's {@code prediction_type}: analytic denoisers give
         * any exactly; a trained model must have been trained to predict it.
         */
        public Denoiser predicting(ModelSources.Spec source, Denoiser d) {
            if (predictionType == null || predictionType == d.parameterization()) {
                return d;
            }
            if (!source.kind().carriesSchedule()) {
                return d.as(predictionType, schedule);
            }
            throw new InvalidParameterException("prediction_type", predictionType.diffusersName(), "must match the model, which predicts "
                    + d.parameterization().diffusersName());
        }
    }

    /** Resolves the choice for {@code model}: on its own schedule or scheduler when it carries one, with {@code run} parameters (e.g. steps). */
    public Resolved resolve(PluginRegistry registry, ModelSources.Spec model, Map<String, Object> run) {
        return resolve(registry, run, model.schedule(registry),
                model.kind() == ModelSources.Kind.PRETRAINED ? Optional.of(model.location()) : Optional.empty());
    }

    /**
     * Resolves the choice on the schedule {@code fixed} of a trained model when present; for a
     * diffusers model folder {@code pretrained}: its scheduler by default, and a named sampler swaps
     * the algorithm as diffusers' {@code NewScheduler.from_config(old.config)} does (the schedule and
     * every key the new class reads carry over). {@code run} parameters (e.g. steps) override the sampler's.
     */
    public Resolved resolve(PluginRegistry registry, Map<String, Object> run, Optional<Schedule> fixed, Optional<Path> pretrained) {
        Map<String, Object> parameters = new LinkedHashMap<>(samplerParameters);
        parameters.putAll(run);
        if (pretrained.isPresent() && schedulerConfig == null) {
            if (schedule != null || !scheduleParameters.isEmpty()) {
                throw new InvalidParameterException("--schedule", schedule == null ? scheduleParameters : schedule,
                        "is fixed by the model folder's scheduler configuration; leave it out");
            }
            String className = null;
            if (sampler != null) {
                List<String> classes = registry.sampler(sampler).diffusersClassNames();
                if (classes.isEmpty()) {
                    throw new InvalidParameterException("--sampler", sampler, "has no diffusers scheduler class to carry the "
                            + "folder's configuration over to; use --scheduler-config");
                }
                className = classes.get(0);
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
            DiffusersScheduler d = DiffusersScheduler.read(Path.of(schedulerConfig), parameters, registry);
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

    /** An insertion-ordered, unmodifiable, serializable copy. */
    private static Map<String, Object> frozen(Map<String, Object> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m == null ? Map.of() : m));
    }
}
