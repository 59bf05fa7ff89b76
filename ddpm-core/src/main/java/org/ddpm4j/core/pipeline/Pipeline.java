package org.ddpm4j.core.pipeline;

import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;

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

    @Inject
    Pipeline(TensorBackend backend, Schedule schedule, Optional<Sampler> sampler, Optional<Denoiser> denoiser,
             Optional<Classifier> classifier, Set<DenoiserLayer> layers, Set<StepListener> listeners, Owned owned) {
        this.owned = owned;
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
