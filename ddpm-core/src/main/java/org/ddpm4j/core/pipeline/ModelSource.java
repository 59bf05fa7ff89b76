package org.ddpm4j.core.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.core.config.DiffusersSchedulerConfig;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.pretrained.Pretrained;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.toolkit.io.Json;

/**
 * Where a model comes from, written {@code KIND:LOCATION} (e.g. on the command line); a pipeline
 * loads it on its backend ({@link PipelineParts#model}):
 * <ul>
 *   <li>{@code gmm:mixture.json}: the exact denoiser (or classifier) of a Gaussian mixture;</li>
 *   <li>{@code points:data.npy}: the ideal denoiser of a finite data set;</li>
 *   <li>{@code checkpoint:DIR} (or just {@code DIR}): a directory written by {@code ddpm train}: the EMA
 *       weights of its newest checkpoint and the schedule of its model card;</li>
 *   <li>{@code torchscript:FILE.pt}: a TorchScript model with its JSON sidecar (needs the djl backend);</li>
 *   <li>{@code savedmodel:DIR}: a TensorFlow SavedModel with its model card (needs the tf backend);</li>
 *   <li>{@code pretrained:DIR}: a diffusers {@code UNet2DModel} folder ({@link Pretrained}) with the schedule of its
 *       scheduler configuration (djl or tf backend).</li>
 * </ul>
 * Trained models carry their schedule; the analytic ones take the pipeline's.
 */
public record ModelSource(Kind kind, Path location, String text) {

    /** The kinds of sources. */
    public enum Kind {
        GMM("gmm", "java"), POINTS("points", "java"), CHECKPOINT("checkpoint", "djl"), TORCHSCRIPT("torchscript", "djl"),
        SAVEDMODEL("savedmodel", "tf"), PRETRAINED("pretrained", "djl");

        private final String prefix;
        private final String backend;

        Kind(String prefix, String backend) {
            this.prefix = prefix;
            this.backend = backend;
        }

        /** True for trained models, which fix their own schedule. */
        public boolean carriesSchedule() {
            return this != GMM && this != POINTS;
        }

        /** The backend a source of this kind runs on unless the user picks another. */
        public String defaultBackend() {
            return backend;
        }
    }

    /** Parses {@code text} given for {@code option}; a bare directory means {@code checkpoint:DIR}. */
    public static ModelSource parse(String option, String text) {
        for (Kind kind : Kind.values()) {
            if (text.startsWith(kind.prefix + ":")) {
                Path location = Path.of(text.substring(kind.prefix.length() + 1));
                boolean directory = kind == Kind.CHECKPOINT || kind == Kind.SAVEDMODEL || kind == Kind.PRETRAINED;
                if (directory ? !Files.isDirectory(location) : !Files.isRegularFile(location)) {
                    throw new InvalidParameterException(option, text, "names no " + (directory ? "directory " : "readable file ") + location);
                }
                return new ModelSource(kind, location, text);
            }
        }
        if (Files.isDirectory(Path.of(text))) {
            return new ModelSource(Kind.CHECKPOINT, Path.of(text), text);
        }
        throw new InvalidParameterException(option, text, "must be gmm:FILE, points:FILE, checkpoint:DIR, torchscript:FILE.pt, savedmodel:DIR or pretrained:DIR");
    }

    /** A trained model directory written by {@code ddpm train}. */
    public static ModelSource checkpoint(String option, Path dir) {
        return parse(option, "checkpoint:" + dir);
    }

    /** The schedule a trained model was trained with; empty for analytic models. */
    public Optional<Schedule> schedule(PluginRegistry registry) {
        return switch (kind) {
            case GMM, POINTS -> Optional.empty();
            case CHECKPOINT, SAVEDMODEL -> {
                ModelCard card = card();
                yield Optional.of(schedule(registry, card.schedule().type(), card.schedule().parameters()));
            }
            case TORCHSCRIPT -> Optional.of(torchScriptSchedule(registry));
            case PRETRAINED -> Pretrained.schedulerConfig(location)
                    .map(f -> DiffusersSchedulerConfig.readSchedule(Parameters.of(Json.readObject(f)).scoped(f.toString()), registry));
        };
    }

    /**
     * The denoiser on {@code backend}; {@code schedule} is the model's own or, for analytic ones, the
     * pipeline's; a mixture's components act as classes when {@code classesFromComponents} (its exact
     * conditional denoiser, null class = the whole mixture).
     */
    Loaded denoiser(PluginRegistry registry, TensorBackend backend, Schedule schedule, boolean classesFromComponents) {
        return switch (kind) {
            case GMM -> new Loaded(registry.createDenoiser("gmm", backend, schedule, path().with("conditional", classesFromComponents)),
                    schedule, Optional.empty(), () -> { });
            case POINTS -> new Loaded(registry.createDenoiser("points", backend, schedule, path()), schedule, Optional.empty(), () -> { });
            case CHECKPOINT -> {
                Models.LoadedDenoiser loaded = Models.loadDenoiser(location, backend, registry);
                yield new Loaded(loaded.ema(), loaded.schedule(), Optional.of(loaded.card()), loaded);
            }
            case PRETRAINED -> {
                if (!(backend instanceof NetworkBackend networks)) {
                    throw new InvalidParameterException("--backend", backend.name(), "cannot build networks; use djl or tf for a diffusers model");
                }
                Pretrained model = Pretrained.load(location, networks);
                yield new Loaded(model.denoiser(), schedule, Optional.empty(), model);
            }
            case TORCHSCRIPT, SAVEDMODEL -> {
                Denoiser d = registry.createDenoiser(kind.prefix, backend, schedule, path());
                yield new Loaded(d, schedule, Optional.empty(), d instanceof AutoCloseable c ? c : () -> { });
            }
        };
    }

    /** A noisy-data classifier: the exact one of a mixture, or a trained one (its network frees its own memory). */
    Classifier classifier(PluginRegistry registry, TensorBackend backend, Schedule schedule) {
        return switch (kind) {
            case GMM -> registry.createClassifier("gmm", backend, schedule, path());
            case CHECKPOINT -> Models.loadClassifier(location, backend, registry).network();
            default -> throw new InvalidParameterException("--classifier", text, "must be gmm:FILE or checkpoint:DIR");
        };
    }

    private Parameters path() {
        return Parameters.of("path", location.toString());
    }

    private Schedule torchScriptSchedule(PluginRegistry registry) {
        String name = location.getFileName().toString();
        Path sidecar = location.resolveSibling((name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name) + ".json");
        if (!Files.isRegularFile(sidecar)) {
            throw new InvalidParameterException("model", text, "needs the JSON sidecar " + sidecar);
        }
        Parameters section = Parameters.of(Json.readObject(sidecar)).scoped(sidecar.toString()).getNested("schedule");
        Map<String, Object> parameters = new LinkedHashMap<>(section.asMap());
        Object type = parameters.remove("type");
        if (!(type instanceof String scheduleType)) {
            throw new InvalidParameterException(section.qualify("type"), type, "must name the schedule plugin, e.g. linear");
        }
        return schedule(registry, scheduleType, parameters);
    }

    /** True when the source has a model card (a checkpoint or a SavedModel directory). */
    public boolean hasCard() {
        return kind == Kind.CHECKPOINT || kind == Kind.SAVEDMODEL;
    }

    /** The model card of a trained model (a checkpoint or a SavedModel directory). */
    public ModelCard card() {
        if (!hasCard()) {
            throw new InvalidParameterException("model", text, "has no model card; give checkpoint:DIR or savedmodel:DIR");
        }
        return card(location.resolve(ModelCard.FILE));
    }

    private static ModelCard card(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidParameterException("model", file.getParent().toString(), "has no " + ModelCard.FILE);
        }
        return ModelCard.read(file);
    }

    private static Schedule schedule(PluginRegistry registry, String type, Map<String, Object> parameters) {
        return registry.createSchedule(type, Parameters.of(parameters));
    }

    /**
     * A loaded denoiser and its schedule; {@code resources} is what the model holds (a checkpoint's
     * {@link Models.LoadedDenoiser}, a {@link Pretrained} folder); closing it frees the model's native memory.
     */
    public record Loaded(Denoiser denoiser, Schedule schedule, Optional<ModelCard> card, AutoCloseable resources) implements AutoCloseable {
        /**
         * What a pipeline holding {@link #denoiser()} must close besides it: nothing when the denoiser
         * frees its own memory (a TorchScript, a SavedModel, a diffusers UNet), else this source (a
         * checkpoint's network behind its EMA view).
         */
        Optional<AutoCloseable> owner() {
            return denoiser instanceof AutoCloseable ? Optional.empty() : Optional.of(this);
        }

        @Override
        public void close() {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release " + denoiser, e);
            }
        }
    }
}
