package org.ddpm4j.core.plugin;

/**
 * Starts loading a backend's native libraries ({@link org.ddpm4j.api.plugin.BackendFactory#preload()}) on a daemon thread
 * as soon as a command knows its backend, so that the loading (seconds for libtorch or TensorFlow)
 * overlaps the command's own start-up work (plugins, data, checkpoint) instead of following it
 * (docs/BENCHMARKS.md, "Start-up"). In the core so that commands never touch the {@link PluginRegistry} themselves.
 */
public final class NativePreload {
    private NativePreload() {
    }

    public static void start(String backend) {
        Thread loader = new Thread(() -> {
            try {
                PluginRegistry.load().backend(backend).preload();
            } catch (RuntimeException | LinkageError e) {
                // an unknown name or a loading failure: creating the backend meets it and reports it where the command can
            }
        }, "preload-" + backend);
        loader.setDaemon(true);
        loader.start();
    }
}
