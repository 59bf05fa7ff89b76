package org.ddpm4j.examples.cli;

import org.ddpm4j.api.plugin.BackendFactory;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * Starts loading a backend's native libraries ({@link BackendFactory#preload()}) on a daemon thread
 * as soon as a command knows its backend, so that the loading (seconds for libtorch or TensorFlow)
 * overlaps the command's own start-up work (plugins, data, checkpoint) instead of following it
 * (docs/BENCHMARKS.md, "Start-up").
 */
final class NativePreload {
    private NativePreload() {
    }

    static void start(PluginRegistry registry, String backend) {
        BackendFactory factory;
        try {
            factory = registry.backend(backend);
        } catch (RuntimeException unknown) {
            return; // creating the backend reports the name with what is allowed
        }
        Thread loader = new Thread(() -> {
            try {
                factory.preload();
            } catch (RuntimeException | LinkageError e) {
                // creating the backend meets the same failure and reports it where the command can
            }
        }, "preload-" + backend);
        loader.setDaemon(true);
        loader.start();
    }
}
