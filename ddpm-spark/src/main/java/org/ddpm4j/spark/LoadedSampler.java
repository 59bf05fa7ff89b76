package org.ddpm4j.spark;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Noise;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * A model loaded on an executor through the library's composition root, as {@code ddpm sample}
 * loads it: the model source, the sampler choice resolved on its schedule, the backend and the
 * guidance. It draws any index range of a run, one batch at a time.
 */
final class LoadedSampler implements AutoCloseable {
    private final Pipeline pipeline;
    private final Denoiser denoiser;
    private final int[] sampleShape;

    private LoadedSampler(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.denoiser = pipeline.model();
        this.sampleShape = Noise.sampleShape(denoiser);
    }

    /** Loads {@code ref}; a mixture's components act as classes when {@code componentsAsClasses}. */
    static LoadedSampler load(ModelRef ref, boolean componentsAsClasses) {
        PluginRegistry registry = PluginRegistry.load();
        ModelSource source = ModelSource.parse("model", ref.model());
        // the sampler choice is resolved on the model's schedule while the pipeline is built
        PipelineParts parts = PipelineParts.none().model(source, componentsAsClasses).sampler(ref.sampler());
        if (ref.guidanceClassifier() != null) {
            parts.classifier(ModelSource.parse("--classifier", ref.guidanceClassifier()));
        }
        return new LoadedSampler(Pipelines.build(ref.config(source), registry, parts));
    }

    int[] sampleShape() {
        return sampleShape.clone();
    }

    int numClasses() {
        return denoiser.numClasses();
    }

    /**
     * Refuses a sampler whose samples depend on their batch (a step size or error control shared by
     * the batch) unless the whole job is one batch: cut into ranges, its samples would differ from one machine's.
     */
    void checkBatchIndependent(SamplingJob job) {
        Sampler sampler = pipeline.requireSampler();
        if (sampler.couplesBatch() && (job.partitions() > 1 || job.batch() < job.n())) {
            throw new InvalidParameterException("--sampler", sampler.name(), "couples the samples of a batch, so a run cut into "
                    + job.partitions() + " partitions and batches of " + job.batch() + " would not reproduce one machine's samples; "
                    + "choose a sampler that keeps samples independent, or --partitions 1 with --batch >= n");
        }
    }

    /** Samples {@code first .. first + count - 1} of {@code job}, flattened row by row as float64 (what {@code ddpm sample --out} writes). */
    SampleBatch sample(SamplingJob job, long first, int count) {
        Condition condition = job.condition(first, count, numClasses());
        SampleOptions options = SampleOptions.defaults().withSeed(job.seed()).withCondition(condition);
        try (TensorScope scope = pipeline.backend().openScope()) {
            // every sample's noise is keyed by its global index (SampleOptions.firstIndex), so the batch it falls in changes nothing
            Tensor samples = pipeline.sample(count, sampleShape, options.withFirstIndex(first));
            return new SampleBatch(first, count, labels(condition, count), samples.toDoubleArray());
        }
    }

    private static int[] labels(Condition condition, int count) {
        if (condition.isNone()) {
            int[] none = new int[count];
            java.util.Arrays.fill(none, Condition.NULL_CLASS);
            return none;
        }
        return condition.labels();
    }

    @Override
    public void close() {
        pipeline.close();
    }

    /** Samples {@code first .. first + count - 1}: their class ({@link Condition#NULL_CLASS} when unconditional) and values. */
    record SampleBatch(long first, int count, int[] labels, double[] values) {
        int sampleSize() {
            return values.length / count;
        }
    }
}
