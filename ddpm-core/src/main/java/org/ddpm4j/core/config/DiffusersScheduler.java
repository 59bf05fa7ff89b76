package org.ddpm4j.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.core.plugin.PluginKind;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A diffusers {@code scheduler_config.json} as ddpm4j objects, read by diffusers' own rules
 * ({@code ConfigMixin.extract_init_dict}):
 * <ul>
 *   <li>{@code _class_name} picks the sampler plugin that stands in for the class
 *       ({@link SamplerFactory#diffusersClassNames()}); a Flax class name ({@code FlaxDDIMScheduler})
 *       is the class of the same name without the prefix. The flow-matching classes ddpm4j samples
 *       ({@code FlowMatchEulerDiscreteScheduler}, {@code FlowMatchHeunDiscreteScheduler}) describe no betas:
 *       their schedule is the rectified-flow path ({@code num_train_timesteps}) and their model predicts
 *       the flow velocity ({@link Parameterization#FLOW}); other flow configurations are refused
 *       ({@link FlowMatchingConfigs}).</li>
 *   <li>a key the class does not read in diffusers (one of another class, or of another diffusers
 *       version, such as {@code skip_prk_steps} in a DDIM file or {@code timestep_values}) is ignored;
 *       all of them are reported in one log line and in {@link #ignoredKeys()};</li>
 *   <li>keys starting with {@code _} ({@code _diffusers_version}, {@code _use_default_values}, ...)
 *       are metadata; a {@code null} value means the default;</li>
 *   <li>the noise-schedule keys build the schedule ({@link DiffusersSchedulerConfig});</li>
 *   <li>{@code prediction_type} is what the model predicts: the caller views its denoiser as that
 *       ({@code Denoiser.as}), exact for analytic denoisers;</li>
 *   <li>every other key the class reads is a parameter of the sampler, together with the run's own
 *       parameters ({@code steps}, {@code eta}, which diffusers passes to {@code set_timesteps} and
 *       {@code step}). A value out of range or of the wrong type is an error naming key, value and
 *       what is allowed; so is a key of the class that the sampler does not implement.</li>
 * </ul>
 * {@code timestep_type: continuous} (EDM-style Euler) takes effect with {@code v_prediction} only,
 * as in diffusers: the sampler then calls the denoiser at the schedule time of each step's exact
 * sigma, and a diffusers network takes {@link #networkTime(double)} = {@code 0.25 ln sigma} for it.
 *
 * @param schedule           the noise schedule
 * @param sampler            the sampler, configured as the diffusers scheduler
 * @param predictionType     the model's prediction type ({@code prediction_type}, default epsilon)
 * @param className          the diffusers class the configuration loads as (Flax prefix removed)
 * @param ignoredKeys        the keys ignored because the class does not read them, in file order
 * @param continuousTimesteps whether a diffusers network takes {@code 0.25 ln sigma} as its time input
 */
public record DiffusersScheduler(Schedule schedule, Sampler sampler, Parameterization predictionType, String className,
                                 List<String> ignoredKeys, boolean continuousTimesteps) {
    private static final Logger LOG = LoggerFactory.getLogger(DiffusersScheduler.class);
    /** Classes whose schedule defaults differ from DDPMScheduler's (diffusers writes them out, but hand-written configs may not). */
    private static final Map<String, Map<String, Object>> SCHEDULE_DEFAULTS = Map.of(
            "HeunDiscreteScheduler", Map.of("beta_start", 0.00085, "beta_end", 0.012));

    public DiffusersScheduler {
        ignoredKeys = List.copyOf(ignoredKeys);
    }

    /** Reads a {@code scheduler_config.json}; {@code run} holds the parameters of the run ({@code steps}, {@code eta}, ...). */
    public static DiffusersScheduler read(Path file, Map<String, Object> run, PluginRegistry registry) {
        return read(Json.readObject(file), file.getFileName().toString(), run, registry);
    }

    /**
     * Reads a {@code scheduler_config.json} as another diffusers class, as {@code NewClass.from_config(old.config)}
     * does: the schedule and every key the new class reads carry over ({@code className} null: the file's own class).
     */
    public static DiffusersScheduler read(Path file, String className, Map<String, Object> run, PluginRegistry registry) {
        Map<String, Object> config = new java.util.LinkedHashMap<>(Json.readObject(file));
        if (className != null) {
            config.put("_class_name", className);   // keys the new class does not read are ignored, as from_config does
        }
        return read(config, file.getFileName().toString(), run, registry);
    }

    /** Reads a configuration already parsed; {@code source} names it in error messages. */
    public static DiffusersScheduler read(Map<String, Object> config, String source, Map<String, Object> run, PluginRegistry registry) {
        String declared = Parameters.of(config).scoped(source).requireString("_class_name");
        String className = DiffusersClasses.pytorchClass(declared);
        boolean flow = FlowMatchingConfigs.isFlowModel(className, config, source, registry);
        SamplerFactory factory = registry.samplerForDiffusers(className).orElseThrow(() -> new InvalidParameterException(
                source + "._class_name", declared, "no sampler plugin stands in for it; supported: " + supportedClasses(registry)));
        Optional<Set<String>> known = DiffusersClasses.initKeys(className);
        Map<String, Object> keys = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, Object> e : config.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("_")) {
                continue; // metadata
            }
            if (known.isPresent() && !known.get().contains(key)) {
                ignored.add(key);
            } else if (e.getValue() != null) {
                keys.put(key, e.getValue());
            }
        }
        SCHEDULE_DEFAULTS.getOrDefault(className, Map.of()).forEach(keys::putIfAbsent);
        Parameters all = Parameters.of(keys).scoped(source);
        Schedule schedule = flow ? FlowMatchingConfigs.readSchedule(all, registry) : DiffusersSchedulerConfig.readSchedule(all, registry);
        Parameterization predictionType = flow ? Parameterization.FLOW : DiffusersSchedulerConfig.readPredictionType(all);

        Map<String, Object> samplerKeys = new LinkedHashMap<>();
        for (String key : all.unusedKeys()) {
            samplerKeys.put(key, keys.get(key));
        }
        boolean continuous = "continuous".equals(samplerKeys.get("timestep_type"));
        if (continuous && predictionType != Parameterization.V) {
            samplerKeys.remove("timestep_type"); // diffusers uses continuous timesteps with v-prediction only
            continuous = false;
        }
        for (Map.Entry<String, Object> e : run.entrySet()) {
            if (keys.containsKey(e.getKey())) {
                throw new InvalidParameterException(source + "." + e.getKey(), keys.get(e.getKey()),
                        "is given both in the configuration and for the run (" + e.getValue() + "); give it once");
            }
            samplerKeys.put(e.getKey(), e.getValue());
        }
        Parameters samplerParameters = Parameters.of(samplerKeys).scoped(source);
        Sampler sampler = factory.create(schedule, samplerParameters);
        requireAllImplemented(samplerParameters, className);
        if (!ignored.isEmpty()) {
            LOG.info("{}: ignored {} (not read by diffusers' {} either): {}", source, ignored.size() == 1 ? "1 key" : ignored.size() + " keys",
                    className, String.join(", ", ignored));
        }
        return new DiffusersScheduler(schedule, sampler, predictionType, className, ignored, continuous);
    }

    /**
     * The time input a diffusers network expects at the schedule time {@code t} the sampler asks the
     * denoiser for: {@code t} itself, or {@code 0.25 ln sigma(t)} for continuous timesteps.
     */
    public double networkTime(double t) {
        if (!continuousTimesteps) {
            return t;
        }
        double alphaBar = ((DiscreteSchedule) schedule).alphaBar(t);
        return 0.25 * Math.log(Math.sqrt((1 - alphaBar) / alphaBar));
    }

    /** A key the diffusers class reads but the sampler does not implement is an error naming it (silently dropping it would sample differently). */
    private static void requireAllImplemented(Parameters p, String className) {
        Set<String> unused = p.unusedKeys();
        if (!unused.isEmpty()) {
            String key = unused.iterator().next();
            if (DiffusersClasses.initKeys(className).map(k -> k.contains(key)).orElse(false)) {
                throw new InvalidParameterException(p.qualify(key), p.asMap().get(key), "is a key of diffusers' " + className
                        + " that ddpm4j's sampler does not implement; leave it out or set it to its default");
            }
            p.requireAllUsed();
        }
    }

    private static String supportedClasses(PluginRegistry registry) {
        Set<String> names = new TreeSet<>();
        registry.list(PluginKind.SAMPLER).values().forEach(f -> names.addAll(((SamplerFactory) f).diffusersClassNames()));
        return names.isEmpty() ? "none (no sampler plugin on the class path)" : String.join(", ", names);
    }
}
