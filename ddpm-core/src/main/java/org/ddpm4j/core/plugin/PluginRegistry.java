package org.ddpm4j.core.plugin;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.plugin.BackendFactory;
import org.ddpm4j.api.plugin.ClassifierFactory;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.plugin.Factory;
import org.ddpm4j.api.plugin.GuidanceFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/**
 * Every factory of every {@link Plugin} found by {@link ServiceLoader}, by kind and name. Two
 * plugins claiming the same name for the same kind is an error at load time; an unknown name fails
 * with the list of known names. The {@code create...} methods build an object and then reject
 * parameters the factory never read (misspelt or unsupported options).
 */
public final class PluginRegistry {
    private final Map<PluginKind, Map<String, Factory>> factories = new EnumMap<>(PluginKind.class);
    private final Map<String, String> origins = new TreeMap<>();

    private PluginRegistry(Iterable<Plugin> plugins) {
        for (PluginKind kind : PluginKind.values()) {
            factories.put(kind, new TreeMap<>());
        }
        for (Plugin plugin : plugins) {
            register(plugin);
        }
    }

    /** The plugins visible to the thread's context class loader. */
    public static PluginRegistry load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader != null ? loader : PluginRegistry.class.getClassLoader());
    }

    public static PluginRegistry load(ClassLoader loader) {
        return new PluginRegistry(ServiceLoader.load(Plugin.class, loader));
    }

    /** A registry of exactly these plugins (tests, embedding without ServiceLoader). */
    public static PluginRegistry of(Plugin... plugins) {
        return new PluginRegistry(List.of(plugins));
    }

    private void register(Plugin plugin) {
        for (PluginKind kind : PluginKind.values()) {
            for (Factory f : kind.factoriesOf(plugin)) {
                String key = kind.singular() + ":" + f.name();
                Factory previous = factories.get(kind).putIfAbsent(f.name(), f);
                if (previous != null) {
                    throw new IllegalStateException(kind.singular() + " '" + f.name() + "' is provided twice: by "
                            + origins.get(key) + " and by " + plugin.getClass().getName());
                }
                origins.put(key, plugin.getClass().getName());
            }
        }
    }

    /** The factories of one kind, sorted by name. */
    public Map<String, Factory> list(PluginKind kind) {
        return Collections.unmodifiableMap(factories.get(kind));
    }

    /** The class of the plugin that contributed a factory, e.g. for {@code ddpm plugins}. */
    public String origin(PluginKind kind, String name) {
        return origins.get(kind.singular() + ":" + name);
    }

    public <F extends Factory> F get(PluginKind kind, String name, Class<F> type) {
        Factory f = factories.get(kind).get(name);
        if (f == null) {
            throw new UnknownPluginException(kind, name, factories.get(kind).keySet());
        }
        return type.cast(f);
    }

    public ScheduleFactory schedule(String name) {
        return get(PluginKind.SCHEDULE, name, ScheduleFactory.class);
    }

    public SamplerFactory sampler(String name) {
        return get(PluginKind.SAMPLER, name, SamplerFactory.class);
    }

    public GuidanceFactory guidance(String name) {
        return get(PluginKind.GUIDANCE, name, GuidanceFactory.class);
    }

    public BackendFactory backend(String name) {
        return get(PluginKind.BACKEND, name, BackendFactory.class);
    }

    public DenoiserFactory denoiser(String name) {
        return get(PluginKind.DENOISER, name, DenoiserFactory.class);
    }

    public ClassifierFactory classifier(String name) {
        return get(PluginKind.CLASSIFIER, name, ClassifierFactory.class);
    }

    /** The schedule factory implementing diffusers' {@code beta_schedule} value, if any. */
    public Optional<ScheduleFactory> scheduleForDiffusers(String betaSchedule) {
        return factories.get(PluginKind.SCHEDULE).values().stream().map(ScheduleFactory.class::cast)
                .filter(f -> f.diffusersBetaSchedule().filter(betaSchedule::equals).isPresent()).findFirst();
    }

    /** The sampler factory standing in for a diffusers scheduler class, if any. */
    public Optional<SamplerFactory> samplerForDiffusers(String className) {
        return factories.get(PluginKind.SAMPLER).values().stream().map(SamplerFactory.class::cast)
                .filter(f -> f.diffusersClassNames().contains(className)).findFirst();
    }

    public Schedule createSchedule(String name, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.SCHEDULE.singular());
        Schedule s = schedule(name).create(p);
        p.requireAllUsed();
        return s;
    }

    public Sampler createSampler(String name, Schedule schedule, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.SAMPLER.singular());
        Sampler s = sampler(name).create(schedule, p);
        p.requireAllUsed();
        return s;
    }

    public Guidance createGuidance(String name, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.GUIDANCE.singular());
        Guidance g = guidance(name).create(p);
        p.requireAllUsed();
        return g;
    }

    public TensorBackend createBackend(String name, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.BACKEND.singular());
        TensorBackend b = backend(name).create(p);
        try {
            p.requireAllUsed();
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    public Classifier createClassifier(String name, TensorBackend backend, Schedule schedule, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.CLASSIFIER.singular());
        Classifier c = classifier(name).create(backend, schedule, p);
        p.requireAllUsed();
        return c;
    }

    public Denoiser createDenoiser(String name, TensorBackend backend, Schedule schedule, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.DENOISER.singular());
        Denoiser d = denoiser(name).create(backend, schedule, p);
        p.requireAllUsed();
        return d;
    }
}
