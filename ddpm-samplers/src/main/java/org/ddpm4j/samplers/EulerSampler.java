package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.InvalidParameterException;
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
 * (the ends of a sigma schedule), {@code interpolation_type} (linear) and {@code timestep_type}
 * (discrete | continuous). With continuous timesteps (EDM-style; diffusers feeds the network
 * {@code 0.25 ln sigma}) the model is asked at the schedule time whose sigma is exactly the step's,
 * instead of diffusers' discrete {@code _sigma_to_t} (log sigma interpolated between training steps);
 * its sigmas must therefore lie within the schedule's.
 */
public final class EulerSampler extends SigmaSpaceSampler {
    public static final String NAME = "euler";

    public EulerSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private EulerSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, plan(schedule, p));
        p.getChoice("interpolation_type", "linear", "linear");
    }

    private static Plan plan(DiscreteSchedule schedule, Parameters p) {
        Plan plan = Plan.read(schedule, p, true);
        if (p.getChoice("timestep_type", "discrete", "discrete", "continuous").equals("discrete")) {
            return plan;
        }
        double[] table = Sigmas.table(schedule);
        double[] times = new double[plan.timesteps().length];
        for (int i = 0; i < times.length; i++) {
            double sigma = plan.sigmas()[i];
            if (sigma < table[0] * (1 - 1e-12) || sigma > table[table.length - 1] * (1 + 1e-12)) {
                // a denoiser is asked at schedule times; a sigma beyond the schedule's has none
                String key = sigma > table[table.length - 1] ? "sigma_max" : "sigma_min";
                throw new InvalidParameterException(p.qualify(key), sigma, "with timestep_type continuous must lie within the schedule's sigmas ["
                        + table[0] + ", " + table[table.length - 1] + "]");
            }
            times[i] = Sigmas.exactTime(table, sigma);
        }
        return new Plan(times, plan.sigmas(), plan.initialSigma());
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

    @Override
    public OptionalInt order() {
        return OptionalInt.of(1);
    }
}
