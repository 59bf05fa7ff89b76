package org.ddpm4j.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * Where the {@code --denoiser} comes from, written {@code KIND:LOCATION}: {@code gmm:mixture.json}
 * (the exact denoiser of a Gaussian mixture) or {@code points:data.npy} (the ideal denoiser of a
 * finite data set). The one place a denoiser is resolved, so new kinds are added here.
 */
record DenoiserSource(String kind, Path location) {
    private static final Map<String, String> PLUGINS = Map.of("gmm", "gmm", "points", "points");

    static DenoiserSource parse(String text) {
        int colon = text.indexOf(':');
        String kind = colon < 0 ? "" : text.substring(0, colon);
        if (!PLUGINS.containsKey(kind) || colon == text.length() - 1) {
            throw new InvalidParameterException("--denoiser", text, "must be gmm:FILE (a mixture JSON) or points:FILE (an .npy of points)");
        }
        Path location = Path.of(text.substring(colon + 1));
        if (!Files.isRegularFile(location)) {
            throw new InvalidParameterException("--denoiser", text, "names no readable file " + location);
        }
        return new DenoiserSource(kind, location);
    }

    /** The denoiser for {@code schedule} on {@code backend}. */
    Denoiser create(PluginRegistry registry, TensorBackend backend, Schedule schedule) {
        return registry.createDenoiser(PLUGINS.get(kind), backend, schedule, Parameters.of("path", location.toString()));
    }
}
