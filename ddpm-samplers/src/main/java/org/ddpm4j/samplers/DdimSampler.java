package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * DDIM, Song, Meng &amp; Ermon (2021) eq. 12 (diffusers' DDIMScheduler): from {@code x_t} to the
 * previous timestep {@code s},
 * <pre>
 *   x_s = sqrt(alphaBar_s) x0_theta + sqrt(1 - alphaBar_s - sigma_t^2) eps_theta + sigma_t z,
 *   sigma_t = eta sqrt((1 - alphaBar_s) / (1 - alphaBar_t)) sqrt(1 - alphaBar_t / alphaBar_s)   (eq. 16)
 * </pre>
 * {@code eta = 0} is the deterministic sampler (the exponential-integrator step of the
 * probability-flow ODE, first order), {@code eta = 1} is DDPM's ancestral step. As in diffusers,
 * {@code s = t - T // steps} (the final alphaBar is 1 with {@code set_alpha_to_one}, else
 * {@code alphaBar_0}); {@code x0_theta} is clipped or thresholded, {@code eps_theta} is the model's
 * unless {@code use_clipped_model_output} recomputes it from the clipped {@code x0_theta}.
 *
 * <p>Parameters: {@code steps} (50), {@code eta} (0, in [0, 1]), {@code timestep_spacing} (leading),
 * {@code steps_offset}, {@code timesteps} (custom list; the next listed one is {@code s}),
 * {@code set_alpha_to_one} (true), {@code clip_sample} (true), {@code clip_sample_range},
 * {@code thresholding}, {@code dynamic_thresholding_ratio}, {@code sample_max_value},
 * {@code use_clipped_model_output} (false).
 */
public final class DdimSampler extends BaseSampler {
    public static final String NAME = "ddim";

    private final DiscreteSchedule schedule;
    private final double eta;
    private final double finalAlphaBar;
    private final PredictionClipping clipping;
    private final boolean useClippedModelOutput;
    private final boolean custom;

    public DdimSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private DdimSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, SamplerParameters.timesteps(p, schedule, 50, false,
                n -> Spacing.read(p, "leading").integerTimesteps(schedule.trainSteps(), n, SamplerParameters.stepsOffset(p))));
        this.schedule = schedule;
        this.custom = p.has("timesteps");
        this.eta = Checks.closed(p.qualify("eta"), p.getDouble("eta", 0.0), 0, 1);
        this.finalAlphaBar = p.getBoolean("set_alpha_to_one", true) ? 1 : schedule.alphaBar(0);
        this.clipping = PredictionClipping.read(p, true);
        this.useClippedModelOutput = p.getBoolean("use_clipped_model_output", false);
    }

    /** The previous timestep of step i: {@code t - T // steps} as diffusers, or the next listed one. */
    private int previous(double[] t, int i) {
        if (custom) {
            return i + 1 < t.length ? (int) t[i + 1] : -1;
        }
        return (int) t[i] - schedule.trainSteps() / t.length;
    }

    @Override
    protected UpdateRule newRule() {
        double[] t = timesteps();
        return (i, x, step) -> {
            int s = previous(t, i);
            double alphaBarT = schedule.alphaBar((int) t[i]);
            double alphaBarS = s >= 0 ? schedule.alphaBar(s) : finalAlphaBar;
            NoiseLevel level = NoiseLevel.ofAlphaBar(alphaBarT);
            ModelOutput out = step.model(x, t[i]);
            Tensor x0 = clipping.apply(out.x0(level));
            Tensor eps = useClippedModelOutput ? x.linear(1 / level.sigma(), x0, -level.alpha() / level.sigma()) : out.eps(level);
            double variance = (1 - alphaBarS) / (1 - alphaBarT) * (1 - alphaBarT / alphaBarS);
            double sigma = eta * Math.sqrt(variance);
            Tensor next = x0.linear(Math.sqrt(alphaBarS), eps, Math.sqrt(1 - alphaBarS - sigma * sigma));
            return eta > 0 ? next.linear(1, step.noise(x), sigma) : next;
        };
    }

    /** First order when deterministic (eta = 0), an exponential integrator with the data prediction held over the step. */
    @Override
    public OptionalInt order() {
        return eta == 0 ? OptionalInt.of(1) : OptionalInt.empty();
    }
}
