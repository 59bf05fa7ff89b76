package org.ddpm4j.core.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.core.plugin.PluginKind;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * A diffusers {@code scheduler_config.json} as ddpm4j objects, key for key:
 * <ul>
 *   <li>{@code _class_name} picks the sampler plugin that stands in for the class
 *       ({@link SamplerFactory#diffusersClassNames()});</li>
 *   <li>the noise-schedule keys build the schedule ({@link DiffusersSchedulerConfig});</li>
 *   <li>{@code prediction_type} is what the model predicts: the caller views its denoiser as that
 *       ({@code Denoiser.as}), exact for analytic denoisers;</li>
 *   <li>every other key is a parameter of the sampler, together with the run's own parameters
 *       ({@code steps}, {@code eta}, which diffusers passes to {@code set_timesteps} and {@code step}).</li>
 * </ul>
 * The FlowMatch classes ({@code FlowMatchEulerDiscreteScheduler}, ...) describe no betas: their
 * schedule is the rectified-flow path ({@value #FLOW_SCHEDULE}, {@code num_train_timesteps}) and
 * their model predicts the flow velocity ({@link Parameterization#FLOW}).
 *
 * <p>A key that nothing reads is an error naming it; only diffusers' bookkeeping keys
 * ({@code _diffusers_version}, ...) are accepted without effect.
 *
 * @param schedule       the noise schedule
 * @param sampler        the sampler, configured as the diffusers scheduler
 * @param predictionType the model's prediction type ({@code prediction_type}, default epsilon)
 */
public record DiffusersScheduler(Schedule schedule, Sampler sampler, Parameterization predictionType) {
    /** diffusers' bookkeeping, without effect on sampling. */
    private static final List<String> BOOKKEEPING = List.of("_class_name", "_diffusers_version", "_use_default_values", "_name_or_path");
    /** Classes whose schedule defaults differ from DDPMScheduler's (diffusers writes them out, but hand-written configs may not). */
    private static final Map<String, Map<String, Object>> SCHEDULE_DEFAULTS = Map.of(
            "HeunDiscreteScheduler", Map.of("beta_start", 0.00085, "beta_end", 0.012));
    /** The schedule plugin of the FlowMatch classes' path. */
    static final String FLOW_SCHEDULE = "rectified-flow";

    /** Reads a {@code scheduler_config.json}; {@code run} holds the parameters of the run ({@code steps}, {@code eta}, ...). */
    public static DiffusersScheduler read(Path file, Map<String, Object> run, PluginRegistry registry) {
        return read(Json.readObject(file), file.getFileName().toString(), run, registry);
    }

    /** Reads a configuration already parsed; {@code source} names it in error messages. */
    public static DiffusersScheduler read(Map<String, Object> config, String source, Map<String, Object> run, PluginRegistry registry) {
        String className = Parameters.of(config).scoped(source).requireString("_class_name");
        Map<String, Object> withDefaults = new LinkedHashMap<>(config);
        SCHEDULE_DEFAULTS.getOrDefault(className, Map.of()).forEach(withDefaults::putIfAbsent);
        Parameters all = Parameters.of(withDefaults).scoped(source);
        SamplerFactory factory = registry.samplerForDiffusers(className).orElseThrow(() -> new InvalidParameterException(
                source + "._class_name", className, "no sampler plugin stands in for it; supported: " + supportedClasses(registry)));
        boolean flow = className.startsWith("FlowMatch");
        Schedule schedule = flow ? flowSchedule(all, registry) : DiffusersSchedulerConfig.readSchedule(all, registry);
        Parameterization predictionType = flow ? Parameterization.FLOW : DiffusersSchedulerConfig.readPredictionType(all);
        all.markUsed(BOOKKEEPING.toArray(String[]::new));

        Map<String, Object> samplerKeys = new LinkedHashMap<>();
        for (String key : all.unusedKeys()) {
            samplerKeys.put(key, withDefaults.get(key));
        }
        for (Map.Entry<String, Object> e : run.entrySet()) {
            if (withDefaults.containsKey(e.getKey())) {
                throw new InvalidParameterException(source + "." + e.getKey(), withDefaults.get(e.getKey()),
                        "is given both in the configuration and for the run (" + e.getValue() + "); give it once");
            }
            samplerKeys.put(e.getKey(), e.getValue());
        }
        Parameters samplerParameters = Parameters.of(samplerKeys).scoped(source);
        Sampler sampler = factory.create(schedule, samplerParameters);
        samplerParameters.requireAllUsed();
        return new DiffusersScheduler(schedule, sampler, predictionType);
    }

    private static Schedule flowSchedule(Parameters config, PluginRegistry registry) {
        Map<String, Object> keys = new LinkedHashMap<>();
        config.markUsed("num_train_timesteps");
        if (config.has("num_train_timesteps")) {
            keys.put("num_train_timesteps", config.asMap().get("num_train_timesteps"));
        }
        return registry.createSchedule(FLOW_SCHEDULE, Parameters.of(keys).scoped(config.scope()));
    }

    private static String supportedClasses(PluginRegistry registry) {
        Set<String> names = new TreeSet<>();
        registry.list(PluginKind.SAMPLER).values().forEach(f -> names.addAll(((SamplerFactory) f).diffusersClassNames()));
        return names.isEmpty() ? "none (no sampler plugin on the class path)" : String.join(", ", names);
    }
}
