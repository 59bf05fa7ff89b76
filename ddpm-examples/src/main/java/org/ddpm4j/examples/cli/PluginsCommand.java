package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.ddpm4j.api.plugin.Factory;
import org.ddpm4j.core.plugin.PluginKind;
import org.ddpm4j.core.plugin.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Lists every plugin on the class path, by kind, one line each, and the broken ones that were skipped. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List the schedules, samplers, guidance methods, backends and denoisers found on the class path.",
        footer = {"", "Example:", "  ddpm plugins"})
final class PluginsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        PluginRegistry registry = PluginRegistry.load();
        for (PluginKind kind : PluginKind.values()) {
            Map<String, Factory> factories = registry.list(kind);
            out.println(capitalize(kind.plural()) + " (" + factories.size() + "):");
            int width = factories.keySet().stream().mapToInt(String::length).max().orElse(0);
            factories.forEach((name, f) -> out.printf("  %-" + width + "s  %s%n", name, f.description()));
            out.println();
        }
        if (!registry.broken().isEmpty()) {
            out.println("Broken plugins, skipped (" + registry.broken().size() + "):");
            registry.broken().forEach(b -> out.println("  " + b.plugin() + "  " + b.source() + ": " + b.cause()));
            out.println();
        }
        out.flush();
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
