package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import java.util.Set;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Ancestral sampling of Ho et al. (2020), Algorithm 2, between the inference timesteps
 * {@code t > s} (diffusers' DDPMScheduler): with the model's {@code x_0} estimate
 * {@code x0_theta(x_t)} (clipped or thresholded),
 * <pre>
 *   x_s = coefX0 x0_theta + coefXt x_t + sigma_t z,   z ~ N(0, I)   (no noise when t = 0)
 * </pre>
 * where {@code coefX0, coefXt} are the posterior {@code q(x_s | x_t, x_0)} coefficients (eq. 7,
 * {@link Posterior}) and the reverse variance {@code sigma_t^2} is the posterior's
 * {@code betaTilde_t = (1 - alphaBar_s) / (1 - alphaBar_t) beta_{t|s}} ({@code variance_type}
 * {@code fixed_small}, the lower bound of Ho et al. section 3.2) or
 * {@code beta_{t|s} = 1 - alphaBar_t / alphaBar_s} ({@code fixed_large}, the upper bound).
 *
 * <p>Parameters: {@code steps} (default T), {@code timestep_spacing} (leading), {@code steps_offset},
 * {@code timesteps} (a custom list), {@code variance_type}, {@code clip_sample} (true),
 * {@code clip_sample_range}, {@code thresholding}, {@code dynamic_thresholding_ratio}, {@code sample_max_value}.
 */
public final class DdpmSampler extends BaseSampler {
    public static final String NAME = "ddpm";
    private static final Set<String> LEARNED = Set.of("learned", "learned_range", "fixed_large_log");

    private final DiscreteSchedule schedule;
    private final boolean largeVariance;
    private final PredictionClipping clipping;

    public DdpmSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private DdpmSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, SamplerParameters.timesteps(p, schedule, schedule.trainSteps(), false,
                n -> Spacing.read(p, "leading").integerTimesteps(schedule.trainSteps(), n, SamplerParameters.stepsOffset(p))));
        this.schedule = schedule;
        String variance = p.getString("variance_type", "fixed_small");
        if (LEARNED.contains(variance)) {
            throw new InvalidParameterException(p.qualify("variance_type"), variance,
                    "needs a model that predicts its variance, which the Denoiser API has not; allowed: fixed_small, fixed_small_log, fixed_large");
        }
        this.largeVariance = p.getChoice("variance_type", "fixed_small", "fixed_small", "fixed_small_log", "fixed_large").equals("fixed_large");
        this.clipping = PredictionClipping.read(p, true);
    }

    @Override
    protected UpdateRule newRule() {
        double[] t = timesteps();
        return (i, x, step) -> {
            double alphaBarT = schedule.alphaBar((int) t[i]);
            double alphaBarS = i + 1 < t.length ? schedule.alphaBar((int) t[i + 1]) : 1;
            Tensor x0 = clipping.apply(step.model(x, t[i]).x0(NoiseLevel.ofAlphaBar(alphaBarT)));
            Posterior posterior = Posterior.between(alphaBarS, alphaBarT);
            Tensor mean = posterior.mean(x0, x);
            if (t[i] == 0) {
                return mean;
            }
            double variance = largeVariance ? 1 - alphaBarT / alphaBarS : Math.max(posterior.variance(), 1e-20);
            return mean.linear(1, step.noise(x), Math.sqrt(variance));
        };
    }
}
