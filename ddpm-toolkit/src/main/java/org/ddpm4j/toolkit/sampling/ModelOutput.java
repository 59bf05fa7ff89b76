package org.ddpm4j.toolkit.sampling;

import java.util.Optional;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.Tensor;

/**
 * One denoiser evaluation at {@code x} (variance-preserving form), read as whatever the update
 * rule is written in. The conversions use the noise level the sampler assigns to the step (for
 * Karras sigmas that is the solver's sigma, not the schedule's at the rounded time, as in diffusers).
 */
public final class ModelOutput {
    private final Tensor raw;
    private final Tensor variance;
    private final VarianceOutput varianceOutput;
    private final Parameterization parameterization;
    private final Tensor x;
    private final Step step;

    ModelOutput(Tensor raw, Tensor variance, VarianceOutput varianceOutput, Parameterization parameterization, Tensor x, Step step) {
        this.raw = raw;
        this.variance = variance;
        this.varianceOutput = varianceOutput;
        this.parameterization = parameterization;
        this.x = x;
        this.step = step;
    }

    /**
     * The variance channels of a learned-variance denoiser ({@link #varianceOutput()} says what they
     * mean), or empty when the denoiser predicts no variance.
     */
    public Optional<Tensor> variance() {
        return Optional.ofNullable(variance);
    }

    /** What {@link #variance()} holds. */
    public VarianceOutput varianceOutput() {
        return varianceOutput;
    }

    /** The denoiser's prediction as it came, in its own parameterization (without variance channels). */
    public Tensor raw() {
        return raw;
    }

    /** What {@link #raw()} is. */
    public Parameterization kind() {
        return parameterization;
    }

    /** The prediction of the clean data {@code x_0} (also reported to step listeners as the step's denoised estimate). */
    public Tensor x0(NoiseLevel level) {
        Tensor x0 = parameterization.convert(raw, Parameterization.SAMPLE, x, level.alpha(), level.sigma());
        step.recordDenoised(x0);
        return x0;
    }

    /** The prediction of the noise {@code eps}. */
    public Tensor eps(NoiseLevel level) {
        return parameterization.convert(raw, Parameterization.EPSILON, x, level.alpha(), level.sigma());
    }

    /** {@code tensor}, a linear combination of raw outputs of this denoiser, converted to {@code eps} at this point. */
    public Tensor epsOf(Tensor tensor, NoiseLevel level) {
        return parameterization.convert(tensor, Parameterization.EPSILON, x, level.alpha(), level.sigma());
    }
}
