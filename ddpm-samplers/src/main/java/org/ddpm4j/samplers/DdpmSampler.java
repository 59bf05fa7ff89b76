package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.api.model.VarianceOutput;
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
 * {@link Posterior}) and the reverse variance {@code sigma_t^2} ({@code variance_type}) is
 * <ul>
 *   <li>{@code fixed_small} (default, also {@code fixed_small_log}): the posterior's
 *       {@code betaTilde_t = (1 - alphaBar_s) / (1 - alphaBar_t) beta_{t|s}}, the lower bound of Ho et al. 3.2;</li>
 *   <li>{@code fixed_large}: {@code beta_{t|s} = 1 - alphaBar_t / alphaBar_s}, the upper bound;</li>
 *   <li>{@code learned}: the model's variance channels, read as {@code sigma_t^2} itself (as diffusers does);</li>
 *   <li>{@code learned_range}: the model's interpolation {@code v}:
 *       {@code log sigma_t^2 = (1 + v)/2 log beta_{t|s} + (1 - v)/2 log betaTilde_t} (Nichol &amp; Dhariwal 2021);</li>
 *   <li>{@code analytic}: Analytic-DPM (Bao et al. 2022), {@code betaTilde_t + beta_{t|s}^2 / (alpha_{t|s} (1 - alphaBar_t)) (1 - Gamma_t)}
 *       with {@code Gamma_t = E||eps_theta(x_t)||^2 / d} given per step in {@code analytic_eps_moments}
 *       (estimated by {@link AnalyticVariance}).</li>
 * </ul>
 * Without {@code variance_type}, a denoiser with a variance output is sampled with it ({@code learned}
 * or {@code learned_range}, what its {@link VarianceOutput} says), any other with {@code fixed_small}:
 * a trained learned-variance model needs no option. A denoiser with a variance output sampled with
 * an explicit fixed or analytic variance contributes its prediction only (its variance channels are
 * ignored, as diffusers' DDIM does); {@code learned} and {@code learned_range} need a denoiser with
 * that variance output.
 *
 * <p>Parameters: {@code steps} (default T), {@code timestep_spacing} (leading), {@code steps_offset},
 * {@code timesteps} (a custom list), {@code variance_type}, {@code analytic_eps_moments}, {@code clip_sample} (true),
 * {@code clip_sample_range}, {@code thresholding}, {@code dynamic_thresholding_ratio}, {@code sample_max_value}.
 */
public final class DdpmSampler extends BaseSampler {
    public static final String NAME = "ddpm";

    /** The reverse variances this sampler knows. */
    private enum Kind { FIXED_SMALL, FIXED_LARGE, LEARNED, LEARNED_RANGE, ANALYTIC, MODEL }

    private final DiscreteSchedule schedule;
    private final Kind kind;
    private final double[] epsMoments;
    private final String varianceParameter;
    private final PredictionClipping clipping;

    public DdpmSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private DdpmSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, SamplerParameters.timesteps(p, schedule, schedule.trainSteps(), false,
                n -> Spacing.read(p, "leading").integerTimesteps(schedule.trainSteps(), n, SamplerParameters.stepsOffset(p))));
        this.schedule = schedule;
        this.varianceParameter = p.qualify("variance_type");
        String variance = p.getString("variance_type", "fixed_small");
        if (variance.equals("fixed_large_log")) {
            throw new InvalidParameterException(varianceParameter, variance,
                    "is not supported (diffusers takes the square root of a log there); allowed: fixed_small, fixed_small_log, fixed_large, learned, learned_range, analytic");
        }
        boolean given = p.has("variance_type");
        this.kind = !given ? Kind.MODEL : switch (p.getChoice("variance_type", "fixed_small", "fixed_small", "fixed_small_log", "fixed_large", "learned", "learned_range", "analytic")) {
            case "fixed_large" -> Kind.FIXED_LARGE;
            case "learned" -> Kind.LEARNED;
            case "learned_range" -> Kind.LEARNED_RANGE;
            case "analytic" -> Kind.ANALYTIC;
            default -> Kind.FIXED_SMALL;
        };
        if (kind == Kind.ANALYTIC) {
            this.epsMoments = p.requireDoubleArray("analytic_eps_moments");
            if (epsMoments.length != timesteps().length) {
                throw new InvalidParameterException(p.qualify("analytic_eps_moments"), epsMoments.length + " values",
                        "must give one value per sampling step (" + timesteps().length + ")");
            }
        } else {
            this.epsMoments = null;
            if (p.has("analytic_eps_moments")) {
                throw new InvalidParameterException(p.qualify("analytic_eps_moments"), "given", "is read only with variance_type analytic");
            }
        }
        this.clipping = PredictionClipping.read(p, true);
    }

    @Override
    protected UpdateRule newRule() {
        double[] t = timesteps();
        return (i, x, step) -> {
            double alphaBarT = schedule.alphaBar((int) t[i]);
            double alphaBarS = i + 1 < t.length ? schedule.alphaBar((int) t[i + 1]) : 1;
            ModelOutput out = step.model(x, t[i]);
            Tensor x0 = clipping.apply(out.x0(NoiseLevel.ofAlphaBar(alphaBarT)));
            Posterior posterior = Posterior.between(alphaBarS, alphaBarT);
            Tensor mean = posterior.mean(x0, x);
            if (t[i] == 0) {
                return mean;
            }
            double small = Math.max(posterior.variance(), 1e-20);
            double large = 1 - alphaBarT / alphaBarS;
            Kind variance = kind != Kind.MODEL ? kind : switch (out.varianceOutput()) {
                case LEARNED -> Kind.LEARNED;
                case LEARNED_RANGE -> Kind.LEARNED_RANGE;
                case NONE -> Kind.FIXED_SMALL;
            };
            return switch (variance) {
                case FIXED_SMALL, MODEL -> mean.linear(1, step.noise(x), Math.sqrt(small));
                case FIXED_LARGE -> mean.linear(1, step.noise(x), Math.sqrt(large));
                case ANALYTIC -> mean.linear(1, step.noise(x), Math.sqrt(AnalyticVariance.optimal(alphaBarS, alphaBarT, epsMoments[i])));
                case LEARNED -> mean.add(step.noise(x).mul(learned(out, VarianceOutput.LEARNED).sqrt()));
                case LEARNED_RANGE -> {
                    // frac log(beta) + (1 - frac) log(betaTilde), frac = (v + 1) / 2; the noise scale is exp(log sigma^2 / 2)
                    double minLog = Math.log(small);
                    double maxLog = Math.log(large);
                    Tensor frac = learned(out, VarianceOutput.LEARNED_RANGE).add(1).mul(0.5);
                    yield mean.add(step.noise(x).mul(frac.mul(0.5 * (maxLog - minLog)).add(0.5 * minLog).exp()));
                }
            };
        };
    }

    private Tensor learned(ModelOutput out, VarianceOutput wanted) {
        Tensor variance = out.variance().orElseThrow(() -> new InvalidParameterException(varianceParameter, wanted.key(),
                "needs a denoiser that outputs its variance; this one predicts none (use fixed_small, fixed_large or analytic)"));
        if (out.varianceOutput() != wanted) {
            throw new InvalidParameterException(varianceParameter, wanted.key(),
                    "does not match the denoiser's variance output " + out.varianceOutput().key());
        }
        return variance;
    }
}
