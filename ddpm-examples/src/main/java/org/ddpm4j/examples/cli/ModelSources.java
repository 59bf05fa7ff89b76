package org.ddpm4j.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.io.Json;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;

/**
 * Where a trained denoiser comes from, for commands that sample:
 * <ul>
 *   <li>{@code checkpoint:DIR} (or just {@code DIR}): a model directory written by {@code ddpm train}; the
 *       EMA weights of its newest checkpoint and the schedule of its model card;</li>
 *   <li>{@code torchscript:FILE.pt}: a TorchScript model with its JSON sidecar, whose {@code schedule}
 *       section names the schedule (needs a backend that runs TorchScript, i.e. djl).</li>
 * </ul>
 */
public final class ModelSources {
    private static final String CHECKPOINT = "checkpoint:";
    private static final String TORCHSCRIPT = "torchscript:";

    private ModelSources() {
    }

    /** A denoiser with the schedule it was trained with; closing it frees the model's native memory. */
    public record Source(Denoiser denoiser, Schedule schedule, Optional<ModelCard> card, AutoCloseable resources) implements AutoCloseable {
        @Override
        public void close() {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release " + denoiser, e);
            }
        }
    }

    /** Loads the denoiser {@code source} names onto {@code backend}. */
    public static Source denoiser(String source, TensorBackend backend, PluginRegistry registry) {
        if (source.startsWith(TORCHSCRIPT)) {
            return torchScript(Path.of(source.substring(TORCHSCRIPT.length())), backend, registry);
        }
        Path dir = Path.of(source.startsWith(CHECKPOINT) ? source.substring(CHECKPOINT.length()) : source);
        if (!Files.isDirectory(dir)) {
            throw new InvalidParameterException("model", source, "must be checkpoint:DIR (a directory written by 'ddpm train') "
                    + "or torchscript:FILE.pt (with its .json sidecar)");
        }
        Models.LoadedDenoiser loaded = Models.loadDenoiser(dir, backend, registry);
        return new Source(loaded.ema(), loaded.schedule(), Optional.of(loaded.card()), loaded);
    }

    private static Source torchScript(Path file, TensorBackend backend, PluginRegistry registry) {
        String name = file.getFileName().toString();
        Path sidecar = file.resolveSibling((name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name) + ".json");
        if (!Files.isRegularFile(sidecar)) {
            throw new InvalidParameterException("model", TORCHSCRIPT + file, "needs the JSON sidecar " + sidecar);
        }
        Parameters section = Parameters.of(Json.readObject(sidecar)).scoped(sidecar.toString()).getNested("schedule");
        Map<String, Object> parameters = new LinkedHashMap<>(section.asMap());
        Object type = parameters.remove("type");
        if (!(type instanceof String scheduleType)) {
            throw new InvalidParameterException(section.qualify("type"), type, "must name the schedule plugin, e.g. linear");
        }
        Schedule schedule = registry.createSchedule(scheduleType, Parameters.of(parameters));
        Denoiser denoiser = registry.createDenoiser("torchscript", backend, schedule, Parameters.of("path", file.toString()));
        AutoCloseable resources = denoiser instanceof AutoCloseable c ? c : () -> { };
        return new Source(denoiser, schedule, Optional.empty(), resources);
    }
}
