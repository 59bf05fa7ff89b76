package org.ddpm4j.core.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.core.config.DiffusersSchedulerConfig;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.pretrained.Pretrained;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;

/**
 * Where a model comes from, written {@code KIND:LOCATION} on the command line; the one place models
 * are resolved:
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
 * Trained models carry their schedule; the analytic ones take the schedule the command chooses.
 */
public final class ModelSources {

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

    /** A parsed {@code KIND:LOCATION}. */
    public record Spec(Kind kind, Path location, String text) {

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

        /** The denoiser on {@code backend}; {@code schedule} is the model's own or, for analytic ones, the chosen one. */
        public Source denoiser(PluginRegistry registry, TensorBackend backend, Schedule schedule) {
            return denoiser(registry, backend, schedule, false);
        }

        /**
         * As {@link #denoiser(PluginRegistry, TensorBackend, Schedule)}; a mixture's components act as classes
         * when {@code classesFromComponents} (its exact conditional denoiser, null class = the whole mixture).
         */
        public Source denoiser(PluginRegistry registry, TensorBackend backend, Schedule schedule, boolean classesFromComponents) {
            return switch (kind) {
                case GMM -> new Source(registry.createDenoiser("gmm", backend, schedule, path().with("conditional", classesFromComponents)),
                        schedule, Optional.empty(), () -> { });
                case POINTS -> new Source(registry.createDenoiser("points", backend, schedule, path()), schedule, Optional.empty(), () -> { });
                case CHECKPOINT -> {
                    Models.LoadedDenoiser loaded = Models.loadDenoiser(location, backend, registry);
                    yield new Source(loaded.ema(), loaded.schedule(), Optional.of(loaded.card()), loaded);
                }
                case PRETRAINED -> {
                    if (!(backend instanceof NetworkBackend networks)) {
                        throw new InvalidParameterException("--backend", backend.name(), "cannot build networks; use djl or tf for a diffusers model");
                    }
                    Pretrained model = Pretrained.load(location, networks);
                    yield new Source(model.denoiser(), schedule, Optional.empty(), model);
                }
                case TORCHSCRIPT, SAVEDMODEL -> {
                    Denoiser d = registry.createDenoiser(kind.prefix, backend, schedule, path());
                    yield new Source(d, schedule, Optional.empty(), d instanceof AutoCloseable c ? c : () -> { });
                }
            };
        }

        /**
         * The denoiser as a part of a pipeline the composition root builds: loaded on the pipeline's
         * backend and schedule, its owner (if any) closed with the pipeline; {@code use} sees the loaded
         * source and returns the denoiser to bind.
         */
        public PipelineParts.Loader<Denoiser> loader(PluginRegistry registry, boolean classesFromComponents, Function<Source, Denoiser> use) {
            return (backend, schedule, owns) -> {
                Source s = denoiser(registry, backend, schedule, classesFromComponents);
                s.owner().ifPresent(owns);
                return use.apply(s);
            };
        }

        /** A noisy-data classifier: the exact one of a mixture, or a trained one (its loaded files put in {@code open}). */
        public Classifier classifier(PluginRegistry registry, TensorBackend backend, Schedule schedule, Map<String, AutoCloseable> open) {
            return switch (kind) {
                case GMM -> registry.createClassifier("gmm", backend, schedule, path());
                case CHECKPOINT -> {
                    Models.LoadedClassifier loaded = Models.loadClassifier(location, backend, registry);
                    open.put(text, loaded);
                    yield loaded.network();
                }
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

        /** The model card of a trained model (a checkpoint or a SavedModel directory). */
        public ModelCard card() {
            if (kind != Kind.CHECKPOINT && kind != Kind.SAVEDMODEL) {
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
    }

    /** A denoiser ready to sample with and its schedule; closing it frees the model's native memory. */
    public record Source(Denoiser denoiser, Schedule schedule, Optional<ModelCard> card, AutoCloseable resources) implements AutoCloseable {
        /**
         * What a pipeline holding {@link #denoiser()} must close besides it: nothing when the denoiser
         * frees its own memory (a TorchScript, a SavedModel, a diffusers UNet), else this source (a
         * checkpoint's network behind its EMA view).
         */
        public Optional<AutoCloseable> owner() {
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

    private ModelSources() {
    }

    /** Parses {@code text} given for {@code option}; a bare directory means {@code checkpoint:DIR}. */
    public static Spec parse(String option, String text) {
        for (Kind kind : Kind.values()) {
            if (text.startsWith(kind.prefix + ":")) {
                Path location = Path.of(text.substring(kind.prefix.length() + 1));
                boolean directory = kind == Kind.CHECKPOINT || kind == Kind.SAVEDMODEL || kind == Kind.PRETRAINED;
                if (directory ? !Files.isDirectory(location) : !Files.isRegularFile(location)) {
                    throw new InvalidParameterException(option, text, "names no " + (directory ? "directory " : "readable file ") + location);
                }
                return new Spec(kind, location, text);
            }
        }
        if (Files.isDirectory(Path.of(text))) {
            return new Spec(Kind.CHECKPOINT, Path.of(text), text);
        }
        throw new InvalidParameterException(option, text, "must be gmm:FILE, points:FILE, checkpoint:DIR, torchscript:FILE.pt, savedmodel:DIR or pretrained:DIR");
    }

    /** Loads the denoiser {@code text} names onto {@code backend}, with the schedule it carries. */
    public static Source denoiser(String text, TensorBackend backend, PluginRegistry registry) {
        Spec spec = parse("model", text);
        Schedule schedule = spec.schedule(registry).orElseThrow(() -> new InvalidParameterException("model", text,
                "is analytic and needs a schedule; use the sample command"));
        return spec.denoiser(registry, backend, schedule);
    }
}
