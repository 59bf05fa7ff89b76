package org.ddpm4j.core.plugin;

/**
 * A plugin that could not be loaded or registered and was skipped: its class, where it came from
 * (the jar or class folder whose service file names it) and why.
 *
 * @param plugin the provider class named in {@code META-INF/services/org.ddpm4j.api.plugin.Plugin}
 * @param source the jar or folder that names it, or {@code unknown}
 * @param cause  the error, one line
 */
public record BrokenPlugin(String plugin, String source, String cause) {
    /** The one-line warning printed when it is skipped. */
    public String warning() {
        return "warning: skipped broken plugin " + plugin + " (" + source + "): " + cause;
    }
}
