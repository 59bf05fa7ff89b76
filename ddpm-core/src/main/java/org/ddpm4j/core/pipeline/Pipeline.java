package org.ddpm4j.core.pipeline;

import jakarta.inject.Inject;
import java.util.Optional;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;

/**
 * A ready-to-use composition of a backend, a schedule and optionally a sampler, a guidance method
 * and a denoiser, built and validated as a whole by {@link Pipelines#build}.
 */
public final class Pipeline implements AutoCloseable {
    private final TensorBackend backend;
    private final Schedule schedule;
    private final Optional<Sampler> sampler;
    private final Optional<Denoiser> denoiser;
    private final Optional<Denoiser> model;

    @Inject
    Pipeline(TensorBackend backend, Schedule schedule, Optional<Sampler> sampler, Optional<Guidance> guidance,
             Optional<Denoiser> denoiser, Optional<Classifier> classifier) {
        this.backend = backend;
        this.schedule = schedule;
        this.sampler = sampler;
        this.denoiser = denoiser;
        GuidanceContext context = new GuidanceContext(schedule, classifier);
        // Guidance validates the model (conditional? classifier classes?) here, before any sampling.
        this.model = guidance.isPresent() && denoiser.isPresent()
                ? Optional.of(guidance.get().guide(denoiser.get(), context))
                : denoiser;
        if (guidance.isPresent() && denoiser.isEmpty()) {
            throw new IllegalStateException("guidance '" + guidance.get().name() + "' is configured but there is no denoiser to guide");
        }
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

    /** The denoiser to sample with: the configured one, wrapped by the guidance if one is configured. */
    public Denoiser model() {
        return model.orElseThrow(() -> new IllegalStateException("the pipeline has no denoiser"));
    }

    /** The configured sampler. */
    public Sampler requireSampler() {
        return sampler.orElseThrow(() -> new IllegalStateException("the pipeline has no sampler"));
    }

    /**
     * Draws {@code n} samples of shape {@code sampleShape} from noise seeded with
     * {@code options.seed()} (the sampler's own noise uses the same seed, split off).
     */
    public Tensor sample(int n, int[] sampleShape, SampleOptions options) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor noise = backend.randn(new GaussianNoise(options.seed()), shape);
        return requireSampler().sample(model(), noise, options.withSeed(options.seed() + 1));
    }

    @Override
    public void close() {
        backend.close();
    }
}
