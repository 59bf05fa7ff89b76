package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Euler's method on the probability-flow ODE in sigma (Karras et al. 2022, Algorithm 2 without
 * churn; diffusers' EulerDiscreteScheduler):
 * <pre>
 *   d_i = (x_i - D(x_i; sigma_i)) / sigma_i,     x_{i+1} = x_i + (sigma_{i+1} - sigma_i) d_i
 * </pre>
 * First order; DDIM is the same step taken in {@code x / alpha} exactly along the linear part.
 *
 * <p>Parameters: those of {@link SigmaSpaceSampler}, plus {@code sigma_min} / {@code sigma_max}
 * (the ends of a sigma schedule), {@code interpolation_type} (linear) and {@code timestep_type} (discrete).
 */
public final class EulerSampler extends SigmaSpaceSampler {
    public static final String NAME = "euler";

    public EulerSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private EulerSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, Plan.read(schedule, p, true));
        p.getChoice("interpolation_type", "linear", "linear");
        p.getChoice("timestep_type", "discrete", "discrete");
    }

    @Override
    protected UpdateRule newRule() {
        return (i, x, step) -> {
            double sigma = sigma(i);
            Tensor x0 = model(step, x, sigma, timesteps()[i]).x0(NoiseLevel.ofSigma(sigma));
            Tensor d = x.linear(1 / sigma, x0, -1 / sigma);
            return x.linear(1, d, sigma(i + 1) - sigma);
        };
    }
}
