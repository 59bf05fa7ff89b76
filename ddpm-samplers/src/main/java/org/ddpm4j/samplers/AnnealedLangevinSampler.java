package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Annealed Langevin dynamics, Song &amp; Ermon (2019) Algorithm 1 (NCSN), on the variance-exploding
 * view {@code y = x_t / alpha_t} of a continuous VP schedule: for noise levels {@code sigma_1 > ... > sigma_L}
 * evenly spaced in {@code log sigma} between {@code sigma(1)} and {@code sigma(t_min)}, with
 * {@code alpha_i = step_size sigma_i^2} (the paper's {@code epsilon sigma_i^2 / sigma_L^2} with
 * {@code epsilon = step_size sigma_L^2}), each level runs {@code langevin_steps} iterations of
 * <pre>
 *   y <- y + alpha_i / 2 s(y, sigma_i) + sqrt(alpha_i) z,       s(y, sigma) = -eps_theta(alpha y, t(sigma)) / sigma,
 * </pre>
 * each sampling {@code p_{sigma_i}(y)} more closely. With {@code denoise}, the last level ends with
 * Tweedie's step {@code y <- y + sigma_L^2 s(y, sigma_L)}. One run step is one noise level; the
 * state after it is at that level. Needs a continuous schedule.
 *
 * <p>Parameters: {@code steps} (noise levels, 100), {@code langevin_steps} (10), {@code step_size}
 * (0.2: NCSN's 2e-5 at sigma_L = 0.01), {@code t_min} (1e-3), {@code denoise} (true).
 */
public final class AnnealedLangevinSampler extends BaseSampler {
    public static final String NAME = "annealed-langevin";

    private final double[] sigmas;
    private final int langevinSteps;
    private final double stepSize;
    private final boolean denoise;

    public AnnealedLangevinSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.continuous(schedule, NAME), p, levels(SamplerParameters.continuous(schedule, NAME), p));
    }

    private AnnealedLangevinSampler(ContinuousSchedule schedule, Parameters p, double[] sigmas) {
        super(NAME, schedule, times(schedule, sigmas));
        this.sigmas = sigmas;
        this.langevinSteps = Checks.atLeast(p.qualify("langevin_steps"), p.getInt("langevin_steps", 10), 1);
        this.stepSize = Checks.positive(p.qualify("step_size"), p.getDouble("step_size", 0.2));
        this.denoise = p.getBoolean("denoise", true);
    }

    private static double[] levels(ContinuousSchedule schedule, Parameters p) {
        int steps = ContinuousTimeSampler.steps(p, 100);
        return Sigmas.exponential(schedule.sigma(ContinuousTimeSampler.tMin(schedule, p)), schedule.sigma(schedule.tMax()), steps);
    }

    private static double[] times(ContinuousSchedule schedule, double[] sigmas) {
        double[] t = new double[sigmas.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = schedule.timeAtSigma(sigmas[i]);
        }
        return t;
    }

    /** The noise level of the state after {@code i} steps (the start is at the first level). */
    private double levelAfter(int i) {
        return sigmas[Math.max(i - 1, 0)];
    }

    @Override
    public double initialScale() {
        return 1 / NoiseLevel.ofSigma(sigmas[0]).alpha();
    }

    @Override
    public double stateScale(int i) {
        return NoiseLevel.ofSigma(levelAfter(i)).alpha();
    }

    @Override
    protected double stateTime(int i) {
        return schedule().timeAtSigma(levelAfter(i));
    }

    @Override
    protected UpdateRule newRule() {
        return (i, y, step) -> {
            double sigma = sigmas[i];
            NoiseLevel level = NoiseLevel.ofSigma(sigma);
            double t = timesteps()[i];
            double alpha = stepSize * sigma * sigma;
            for (int k = 0; k < langevinSteps; k++) {
                Tensor score = step.model(y.mul(level.alpha()), t).eps(level).mul(-1 / sigma);
                y = y.linear(1, score, alpha / 2).linear(1, step.noise(y), Math.sqrt(alpha));
            }
            if (denoise && i == steps() - 1) {
                y = y.linear(1, step.model(y.mul(level.alpha()), t).eps(level), -sigma);
            }
            return y;
        };
    }
}
