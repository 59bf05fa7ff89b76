package org.ddpm4j.core.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
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
 *
 * <p>One broken plugin does not break the others: plugins are loaded one by one, and one whose
 * class is missing, whose constructor or static initializer throws, whose factory lists throw or
 * hold a factory without a name is skipped with a one-line warning on standard error and listed by
 * {@link #broken()}. A factory whose {@code create} throws an unexpected exception or returns null
 * fails with an error naming the plugin class and the factory.
 */
public final class PluginRegistry {
    private static final String SERVICE_FILE = "META-INF/services/" + Plugin.class.getName();

    private final Map<PluginKind, Map<String, Factory>> factories = new EnumMap<>(PluginKind.class);
    private final Map<String, String> origins = new TreeMap<>();
    private final List<BrokenPlugin> broken = new ArrayList<>();

    private PluginRegistry(Iterable<Plugin> plugins) {
        for (PluginKind kind : PluginKind.values()) {
            factories.put(kind, new TreeMap<>());
        }
        for (Plugin plugin : plugins) {
            register(plugin, "the caller");
        }
    }

    /** The plugins visible to the thread's context class loader. */
    public static PluginRegistry load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader != null ? loader : PluginRegistry.class.getClassLoader());
    }

    /** The plugins {@code loader} finds, broken ones skipped with a warning on standard error. */
    public static PluginRegistry load(ClassLoader loader) {
        PluginRegistry registry = new PluginRegistry(List.of());
        Iterator<Plugin> providers = ServiceLoader.load(Plugin.class, loader).iterator();
        // the iterator goes on to the next provider after an error (best effort, as ServiceLoader documents);
        // the bound guards against one that would repeat the same error forever
        for (int failures = 0; failures < 1000; ) {
            Plugin plugin;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                plugin = providers.next();
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                failures++;
                String provider = providerName(e);
                boolean missing = e.getCause() == null && String.valueOf(e.getMessage()).endsWith(" not found");
                registry.skip(new BrokenPlugin(provider, sourceOf(loader, provider), missing ? "class not found" : causeOf(e)));
                continue;
            }
            registry.register(plugin, sourceOf(loader, plugin.getClass().getName()));
        }
        return registry;
    }

    /** A registry of exactly these plugins (tests, embedding without ServiceLoader). */
    public static PluginRegistry of(Plugin... plugins) {
        return new PluginRegistry(List.of(plugins));
    }

    /** Adds the plugin's factories, all or none: a plugin that fails to list them, or lists one without a name, is skipped. */
    private void register(Plugin plugin, String source) {
        Map<PluginKind, List<Factory>> offered = new EnumMap<>(PluginKind.class);
        for (PluginKind kind : PluginKind.values()) {
            List<Factory> list = new ArrayList<>();
            String method = kind.name().toLowerCase(Locale.ROOT) + "s()"; // Plugin.schedules(), ..., Plugin.guidances()
            try {
                List<? extends Factory> given = kind.factoriesOf(plugin);
                if (given == null) {
                    throw new InvalidFactoryException(method + " returned null");
                }
                for (Factory f : given) {
                    if (f == null) {
                        throw new InvalidFactoryException(method + " lists a null factory");
                    }
                    if (f.name() == null || f.name().isBlank()) {
                        throw new InvalidFactoryException("its " + kind.singular() + " factory " + f.getClass().getName() + " has no name");
                    }
                    list.add(f);
                }
            } catch (InvalidFactoryException e) {
                skip(new BrokenPlugin(plugin.getClass().getName(), source, e.getMessage()));
                return;
            } catch (RuntimeException | LinkageError e) {
                skip(new BrokenPlugin(plugin.getClass().getName(), source, method + " threw " + causeOf(e)));
                return;
            }
            offered.put(kind, list);
        }
        offered.forEach((kind, list) -> {
            for (Factory f : list) {
                String key = kind.singular() + ":" + f.name();
                Factory previous = factories.get(kind).putIfAbsent(f.name(), f);
                if (previous != null) {
                    throw new IllegalStateException(kind.singular() + " '" + f.name() + "' is provided twice: by "
                            + origins.get(key) + " and by " + plugin.getClass().getName());
                }
                origins.put(key, plugin.getClass().getName());
            }
        });
    }

    /** A factory list that breaks the contract of {@link Plugin}. */
    private static final class InvalidFactoryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidFactoryException(String message) {
            super(message);
        }
    }

    private void skip(BrokenPlugin plugin) {
        broken.add(plugin);
        System.err.println(plugin.warning());
    }

    /** The plugins that were found but skipped, with why. */
    public List<BrokenPlugin> broken() {
        return Collections.unmodifiableList(broken);
    }

    /** The provider class a {@link ServiceConfigurationError} is about ("Provider X could not be instantiated", "Provider X not found"). */
    private static String providerName(Throwable e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Provider (\\S+)").matcher(String.valueOf(e.getMessage()));
        return m.find() ? m.group(1) : "unknown provider";
    }

    /** The jar or folder whose service file names {@code provider}. */
    private static String sourceOf(ClassLoader loader, String provider) {
        try {
            for (URL url : Collections.list(loader.getResources(SERVICE_FILE))) {
                try (InputStream in = url.openStream()) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (text.lines().map(l -> l.replaceAll("#.*", "").trim()).anyMatch(provider::equals)) {
                        String u = url.toString();
                        return u.startsWith("jar:file:") ? u.substring(9, u.indexOf("!/"))
                                : u.startsWith("file:") ? u.substring(5, u.length() - SERVICE_FILE.length()) : u;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the source is only for the message
        }
        return "unknown";
    }

    /** The innermost cause, as "Type: message". */
    private static String causeOf(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + message;
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

    /**
     * Calls a factory's {@code create}: the errors a factory reports about its parameters pass
     * unchanged; anything else it throws, or a null result, is an error naming the plugin and factory.
     */
    private <T> T created(PluginKind kind, String name, Supplier<T> create) {
        T made;
        try {
            made = create.get();
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException | java.io.UncheckedIOException
                 | ArithmeticException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("plugin " + origin(kind, name) + ": " + kind.singular() + " factory '" + name
                    + "' failed in create(): " + causeOf(e), e);
        }
        if (made == null) {
            throw new IllegalStateException("plugin " + origin(kind, name) + ": " + kind.singular() + " factory '" + name
                    + "' returned null from create()");
        }
        return made;
    }

    public Schedule createSchedule(String name, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.SCHEDULE.singular());
        Schedule s = created(PluginKind.SCHEDULE, name, () -> schedule(name).create(p));
        p.requireAllUsed();
        return s;
    }

    public Sampler createSampler(String name, Schedule schedule, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.SAMPLER.singular());
        Sampler s = created(PluginKind.SAMPLER, name, () -> sampler(name).create(schedule, p));
        p.requireAllUsed();
        return s;
    }

    public Guidance createGuidance(String name, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.GUIDANCE.singular());
        Guidance g = created(PluginKind.GUIDANCE, name, () -> guidance(name).create(p));
        p.requireAllUsed();
        return g;
    }

    public TensorBackend createBackend(String name, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.BACKEND.singular());
        TensorBackend b = created(PluginKind.BACKEND, name, () -> backend(name).create(p));
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
        Classifier c = created(PluginKind.CLASSIFIER, name, () -> classifier(name).create(backend, schedule, p));
        p.requireAllUsed();
        return c;
    }

    public Denoiser createDenoiser(String name, TensorBackend backend, Schedule schedule, Parameters parameters) {
        Parameters p = parameters.scoped(PluginKind.DENOISER.singular());
        Denoiser d = created(PluginKind.DENOISER, name, () -> denoiser(name).create(backend, schedule, p));
        p.requireAllUsed();
        return d;
    }
}
