package org.ddpm4j.core.pipeline;

import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * A ready-to-use composition of a backend, a schedule and optionally a sampler, a denoiser wrapped
 * by its {@link DenoiserLayer}s (the configured guidance among them) and step listeners, built and
 * validated as a whole by {@link Pipelines#build}.
 */
public final class Pipeline implements AutoCloseable {
    private final TensorBackend backend;
    private final Schedule schedule;
    private final Optional<Sampler> sampler;
    private final Optional<Denoiser> denoiser;
    private final Optional<Classifier> classifier;
    private final Optional<Denoiser> model;
    private final List<DenoiserLayer> layers;
    private final StepListener listener;
    private final Owned owned;
    private final Optional<ModelSource.Loaded> loaded;
    private final PluginRegistry registry;

    @Inject
    Pipeline(TensorBackend backend, Schedule schedule, Optional<Sampler> sampler, Optional<Denoiser> denoiser,
             Optional<Classifier> classifier, Set<DenoiserLayer> layers, Set<StepListener> listeners, Owned owned,
             Optional<ModelSource.Loaded> loaded, PluginRegistry registry) {
        this.owned = owned;
        this.loaded = loaded;
        this.registry = registry;
        this.backend = backend;
        this.schedule = schedule;
        this.sampler = sampler;
        this.denoiser = denoiser;
        this.classifier = classifier;
        this.layers = layers.stream().sorted(Comparator.comparingInt(DenoiserLayer::order).thenComparing(DenoiserLayer::name)).toList();
        if (!layers.isEmpty() && denoiser.isEmpty()) {
            throw new IllegalStateException("guidance or layers " + this.layers + " are configured but there is no denoiser to wrap");
        }
        GuidanceContext context = new GuidanceContext(schedule, classifier);
        // Layers (guidance among them) validate the model here, before any sampling.
        Optional<Denoiser> wrapped = denoiser;
        for (DenoiserLayer layer : this.layers) {
            wrapped = wrapped.map(d -> layer.wrap(d, context));
        }
        this.model = wrapped;
        StepListener all = StepListener.NONE;
        for (StepListener l : listeners) {
            all = all.andThen(l);
        }
        this.listener = all;
    }

    public TensorBackend backend() {
        return backend;
    }

    public Schedule schedule() {
        return schedule;
    }

    public Optional<Sampler> sampler() {
        return sampler;
    }

    /** The configured denoiser, unguided. */
    public Optional<Denoiser> denoiser() {
        return denoiser;
    }

    /** The configured noisy classifier (the one classifier guidance uses). */
    public Optional<Classifier> classifier() {
        return classifier;
    }

    /** The denoiser to sample with: the configured one wrapped by the layers, innermost first. */
    public Denoiser model() {
        return model.orElseThrow(() -> new IllegalStateException("the pipeline has no denoiser"));
    }

    /** The layers around the denoiser, innermost first. */
    public List<DenoiserLayer> layers() {
        return layers;
    }

    /** The bound step listeners, called in the order their bindings were made; {@link #sample} adds them to every run. */
    public StepListener listener() {
        return listener;
    }

    /** The model a {@link ModelSource} part loaded: its card, if any, and what holds it (a checkpoint's network, a diffusers folder). */
    public Optional<ModelSource.Loaded> loadedModel() {
        return loaded;
    }

    /**
     * Another sampler on the pipeline's schedule, from a configuration entry: for commands that
     * compare or search over samplers on one model (benchmarks, step-schedule tuning).
     */
    public Sampler sampler(ComponentConfig entry) {
        return sampler(entry, schedule);
    }

    /** A sampler on {@code on} (e.g. a second model's schedule), from a configuration entry. */
    public Sampler sampler(ComponentConfig entry, Schedule on) {
        return registry.createSampler(entry.type(), on, entry.asParameters());
    }

    /** A guidance from a configuration entry, for sweeps over its scale (the configured one is a layer of {@link #model()}). */
    public Guidance guidance(ComponentConfig entry) {
        return registry.createGuidance(entry.type(), entry.asParameters());
    }

    /** A schedule from a configuration entry, for commands that train or compare on more than one. */
    public Schedule schedule(ComponentConfig entry) {
        return registry.createSchedule(entry.type(), entry.asParameters());
    }

    /** A diffusers scheduler configuration ({@code source} names it in messages) read with the pipeline's plugins, for a run's {@code run} parameters. */
    public DiffusersScheduler diffusersScheduler(java.util.Map<String, Object> config, String source, java.util.Map<String, Object> run) {
        return DiffusersScheduler.read(config, source, run, registry);
    }

    /** A further noisy classifier (e.g. the judge of an evaluation) on the pipeline's backend and schedule, released with the pipeline. */
    public Classifier classifier(ModelSource source) {
        return owned.adopt(source.classifier(registry, backend, schedule));
    }

    /** The configured sampler. */
    public Sampler requireSampler() {
        return sampler.orElseThrow(() -> new IllegalStateException("the pipeline has no sampler"));
    }

    /**
     * Draws samples {@code options.firstIndex() .. + n - 1} of shape {@code sampleShape} from initial
     * noise seeded with {@code options.seed()}; the sampler's own noise uses seed + 1. Every sample is
     * keyed by its index, so cutting a run into calls changes nothing but memory.
     */
    public Tensor sample(int n, int[] sampleShape, SampleOptions options) {
        Tensor noise = Noise.seeded(backend, n, sampleShape, options.seed(), options.firstIndex());
        return requireSampler().sample(model(), noise, options.withSeed(options.seed() + 1).andListener(listener));
    }

    /**
     * Frees what the pipeline holds: the owners of models loaded through {@link PipelineParts}, a
     * denoiser or classifier that owns native memory (a loaded TorchScript, SavedModel or trained
     * network is {@link AutoCloseable}), each once, then the backend.
     */
    @Override
    public void close() {
        try (backend) {
            owned.close(classifier.orElse(null), denoiser.orElse(null));
        }
    }
}
