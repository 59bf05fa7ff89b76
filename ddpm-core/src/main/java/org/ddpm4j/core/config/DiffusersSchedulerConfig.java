package org.ddpm4j.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.plugin.PluginKind;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * The noise-schedule part of diffusers' {@code scheduler_config.json}: {@code num_train_timesteps},
 * {@code beta_start}, {@code beta_end}, {@code beta_schedule}, {@code trained_betas},
 * {@code rescale_betas_zero_snr}. The schedule plugin that implements a {@code beta_schedule} value
 * declares it ({@link ScheduleFactory#diffusersBetaSchedule()}); parameter names are the same on
 * both sides, so the mapping is key for key.
 *
 * <p>Reading marks the keys it consumed in the given {@link Parameters}, so the caller (who maps the
 * sampler keys too) can finally reject every key that nobody supports.
 */
public final class DiffusersSchedulerConfig {
    private static final List<String> SCHEDULE_KEYS = List.of("num_train_timesteps", "beta_start", "beta_end", "rescale_betas_zero_snr");
    /** diffusers writes these for every schedule, also where it ignores them (cosine, trained betas). */
    private static final Set<String> ALWAYS_PRESENT = Set.of("beta_start", "beta_end");

    private DiffusersSchedulerConfig() {
    }

    /** Builds the schedule a diffusers configuration describes. */
    /** {@link #readSchedule(Parameters, PluginRegistry)} with the plugins on the class path. */
    public static Schedule readSchedule(Parameters config) {
        return readSchedule(config, PluginRegistry.load());
    }

    public static Schedule readSchedule(Parameters config, PluginRegistry registry) {
        Map<String, Object> keys = new LinkedHashMap<>();
        for (String key : SCHEDULE_KEYS) {
            config.markUsed(key);
            if (config.has(key)) {
                keys.put(key, config.asMap().get(key));
            }
        }
        ScheduleFactory factory;
        config.markUsed("trained_betas");
        if (config.has("trained_betas")) {
            factory = registry.schedule("betas");
            keys.put("trained_betas", config.asMap().get("trained_betas"));
            config.markUsed("beta_schedule");
        } else {
            String name = config.getString("beta_schedule", "linear");
            factory = registry.scheduleForDiffusers(name).orElseThrow(() -> new InvalidParameterException(
                    config.qualify("beta_schedule"), name, "unsupported; supported: " + supportedBetaSchedules(registry)));
        }
        Parameters p = Parameters.of(keys).scoped(config.scope());
        Schedule schedule = factory.create(p);
        Set<String> unused = new TreeSet<>(p.unusedKeys());
        unused.removeAll(ALWAYS_PRESENT);
        if (!unused.isEmpty()) {
            String key = unused.iterator().next();
            throw new InvalidParameterException(config.qualify(key), keys.get(key), "not supported with schedule '" + factory.name() + "'");
        }
        return schedule;
    }

    /** The prediction type declared by a diffusers configuration (default epsilon). */
    public static Parameterization readPredictionType(Parameters config) {
        return Parameterization.parse(config.qualify("prediction_type"), config.getString("prediction_type", "epsilon"));
    }

    /**
     * The diffusers keys that describe {@code schedule}: by {@code beta_schedule} name when a diffusers
     * schedule reproduces it exactly, otherwise as {@code trained_betas} (any discrete schedule).
     */
    /** {@link #writeSchedule(Schedule, PluginRegistry)} with the plugins on the class path. */
    public static Map<String, Object> writeSchedule(Schedule schedule) {
        return writeSchedule(schedule, PluginRegistry.load());
    }

    public static Map<String, Object> writeSchedule(Schedule schedule, PluginRegistry registry) {
        if (!(schedule instanceof DiscreteSchedule discrete)) {
            throw new InvalidParameterException("schedule", schedule.name(), "is continuous; diffusers configurations describe discrete schedules only");
        }
        Map<String, Object> own = schedule.parameters().asMap();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("num_train_timesteps", discrete.trainSteps());
        out.put("beta_start", own.getOrDefault("beta_start", 0.0001));
        out.put("beta_end", own.getOrDefault("beta_end", 0.02));
        Optional<String> named = registry.list(PluginKind.SCHEDULE).containsKey(schedule.name())
                ? registry.schedule(schedule.name()).diffusersBetaSchedule() : Optional.empty();
        if (named.isPresent() && reproduces(registry.schedule(schedule.name()), out, own, discrete)) {
            out.put("beta_schedule", named.get());
            out.put("trained_betas", null);
            out.put("rescale_betas_zero_snr", own.getOrDefault("rescale_betas_zero_snr", false));
        } else {
            out.put("beta_schedule", "linear");
            out.put("trained_betas", java.util.Arrays.stream(discrete.betas()).boxed().toList());
            out.put("rescale_betas_zero_snr", false);
        }
        return out;
    }

    private static boolean reproduces(ScheduleFactory factory, Map<String, Object> keys, Map<String, Object> own, DiscreteSchedule schedule) {
        Map<String, Object> p = new LinkedHashMap<>(keys);
        p.put("rescale_betas_zero_snr", own.getOrDefault("rescale_betas_zero_snr", false));
        try {
            Schedule rebuilt = factory.create(Parameters.of(p));
            return rebuilt instanceof DiscreteSchedule d && java.util.Arrays.equals(d.betas(), schedule.betas());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String supportedBetaSchedules(PluginRegistry registry) {
        Set<String> names = new TreeSet<>();
        registry.list(PluginKind.SCHEDULE).values().forEach(f -> ((ScheduleFactory) f).diffusersBetaSchedule().ifPresent(names::add));
        return String.join(", ", names);
    }
}
