package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Heun's method on the probability-flow ODE in sigma, Karras et al. (2022) Algorithm 1
 * (diffusers' HeunDiscreteScheduler):
 * <pre>
 *   d_i = (x_i - D(x_i; sigma_i)) / sigma_i,   x' = x_i + (sigma_{i+1} - sigma_i) d_i,
 *   if sigma_{i+1} != 0:  d' = (x' - D(x'; sigma_{i+1})) / sigma_{i+1},
 *                         x_{i+1} = x_i + (sigma_{i+1} - sigma_i) (d_i + d') / 2
 * </pre>
 * Second order at two evaluations per step; the final jump to {@code sigma = 0} is an Euler step.
 * One run step is one such update, so {@link #timesteps()} lists the first evaluation of each step,
 * while the model is called at diffusers' interleaved times {@code t_0, t_1, t_1, t_2, t_2, ...}.
 *
 * <p>Parameters: those of {@link SigmaSpaceSampler}, plus {@code clip_sample} (false) and
 * {@code clip_sample_range}.
 */
public final class HeunSampler extends SigmaSpaceSampler {
    public static final String NAME = "heun";

    private final PredictionClipping clipping;

    public HeunSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private HeunSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, Plan.read(schedule, p, false));
        this.clipping = PredictionClipping.readClipOnly(p, false);
    }

    /** {@code d = (x - D(x; sigma)) / sigma}. */
    private Tensor derivative(Step step, Tensor x, double sigma, double t) {
        Tensor x0 = clipping.apply(model(step, x, sigma, t).x0(NoiseLevel.ofSigma(sigma)));
        return x.linear(1 / sigma, x0, -1 / sigma);
    }

    @Override
    protected UpdateRule newRule() {
        double[] t = timesteps();
        return (i, x, step) -> {
            double sigma = sigma(i);
            double next = sigma(i + 1);
            Tensor d = derivative(step, x, sigma, t[i]);
            Tensor euler = x.linear(1, d, next - sigma);
            if (next == 0) {
                return euler;
            }
            Tensor d2 = derivative(step, euler, next, i + 1 < t.length ? t[i + 1] : schedule().tMin());
            return x.linear(1, d.add(d2), 0.5 * (next - sigma));
        };
    }

    @Override
    public OptionalInt order() {
        return OptionalInt.of(2);
    }
}
