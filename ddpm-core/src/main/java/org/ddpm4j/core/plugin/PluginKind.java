package org.ddpm4j.core.plugin;

import java.util.List;
import java.util.function.Function;
import org.ddpm4j.api.plugin.Factory;
import org.ddpm4j.api.plugin.Plugin;

/** The kinds of things a {@link Plugin} can contribute, each with its own name space. */
public enum PluginKind {
    SCHEDULE("schedule", "schedules", Plugin::schedules),
    SAMPLER("sampler", "samplers", Plugin::samplers),
    GUIDANCE("guidance", "guidance methods", Plugin::guidances),
    BACKEND("backend", "backends", Plugin::backends),
    DENOISER("denoiser", "denoisers", Plugin::denoisers),
    CLASSIFIER("classifier", "classifiers", Plugin::classifiers);

    private final String singular;
    private final String plural;
    private final Function<Plugin, List<? extends Factory>> factories;

    PluginKind(String singular, String plural, Function<Plugin, List<? extends Factory>> factories) {
        this.singular = singular;
        this.plural = plural;
        this.factories = factories;
    }

    /** E.g. {@code "sampler"}: the configuration key and the word in messages. */
    public String singular() {
        return singular;
    }

    public String plural() {
        return plural;
    }

    List<? extends Factory> factoriesOf(Plugin plugin) {
        return factories.apply(plugin);
    }
}
