package org.ddpm4j.toolkit.sampling;

import org.ddpm4j.api.model.NonFiniteOutputException;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.SampleNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * What an {@link UpdateRule} may use during step {@code i} of a run: the denoiser (counted, and
 * checked for NaN with the step index and time), the step's noise, and {@link #keep} for tensors
 * that must outlive the step's memory scope.
 */
public final class Step {
    private final RuleRun run;
    private final int index;
    private final TensorScope scope;
    private SampleNoise noise;
    private Tensor denoised;

    Step(RuleRun run, int index, TensorScope scope) {
        this.run = run;
        this.index = index;
        this.scope = scope;
    }

    /** The 0-based step index. */
    public int index() {
        return index;
    }

    /**
     * Evaluates the denoiser at {@code x} (variance-preserving form) and model time {@code t}. The
     * output of a learned-variance denoiser is split: update rules read the prediction as usual
     * (diffusers' DDIM and DPM-Solver use only that part) and may read {@link ModelOutput#variance()}.
     */
    public ModelOutput model(Tensor x, double t) {
        Tensor out = run.denoiser().predict(x, t, run.options().condition());
        run.countEvaluation();
        if (run.options().checkFinite() && !out.isFinite()) {
            throw new NonFiniteOutputException("the denoiser's output", index, t);
        }
        VarianceOutput kind = run.denoiser().varianceOutput();
        if (kind == VarianceOutput.NONE) {
            return new ModelOutput(out, null, kind, run.denoiser().parameterization(), x, this);
        }
        VarianceOutput.Split split = VarianceOutput.split(out);
        return new ModelOutput(split.prediction(), split.variance(), kind, run.denoiser().parameterization(), x, this);
    }

    /**
     * Standard normal noise shaped like {@code like} (a batch of the run's size). Row {@code r} of the
     * noise of step {@code i} is a pure function of {@code (seed, firstIndex + r, i)}
     * ({@link GaussianNoise#forSample}), so a sample gets the same noise in any batch; several draws
     * in one step continue every row's stream.
     */
    public Tensor noise(Tensor like) {
        if (noise == null) {
            noise = new SampleNoise(run.options().seed(), run.options().firstIndex(), like.batchSize(), index);
        }
        return noise.randn(like.backend(), like.shape());
    }

    /** Lets {@code tensor} outlive this step (history); the caller releases it. */
    public Tensor keep(Tensor tensor) {
        return scope.keep(tensor);
    }

    void recordDenoised(Tensor x0) {
        denoised = x0;
    }

    /** The last {@code x_0} estimate made in this step, or null. */
    public Tensor denoised() {
        return denoised;
    }
}
