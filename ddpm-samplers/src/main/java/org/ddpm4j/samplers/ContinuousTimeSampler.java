package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The score-SDE samplers of a continuous variance-preserving schedule (Song et al. 2021): they walk
 * {@code t_i} evenly from 1 down to {@code t_min} and use the score
 * {@code s_theta(x, t) = grad log q_t(x) = -eps_theta(x, t) / sigma_t}.
 *
 * <p>Shared parameters: {@code steps} (1000), {@code t_min} (1e-3, Song et al.'s {@code eps}; the
 * SDE is singular at 0), {@code denoise} (true: the last step returns its mean, without noise).
 */
abstract class ContinuousTimeSampler extends BaseSampler {
    private final ContinuousSchedule schedule;
    private final double[] grid;
    private final boolean denoise;

    ContinuousTimeSampler(String name, Schedule schedule, Parameters p, int defaultSteps) {
        this(name, SamplerParameters.continuous(schedule, name), p, grid(SamplerParameters.continuous(schedule, name), p, defaultSteps));
    }

    private ContinuousTimeSampler(String name, ContinuousSchedule schedule, Parameters p, double[] grid) {
        super(name, schedule, java.util.Arrays.copyOf(grid, grid.length - 1));
        this.schedule = schedule;
        this.grid = grid;
        this.denoise = p.getBoolean("denoise", true);
    }

    /** {@code steps + 1} evenly spaced times from {@code tMax} down to {@code t_min}. */
    private static double[] grid(ContinuousSchedule schedule, Parameters p, int defaultSteps) {
        return Spacing.linspace(schedule.tMax(), tMin(schedule, p), steps(p, defaultSteps) + 1);
    }

    /** {@code steps}, at least 1. */
    static int steps(Parameters p, int defaultSteps) {
        return Checks.atLeast(p.qualify("steps"), p.getInt("steps", defaultSteps), 1);
    }

    /** {@code t_min} in {@code (tMin, tMax)}, default 1e-3. */
    static double tMin(ContinuousSchedule schedule, Parameters p) {
        return Checks.open(p.qualify("t_min"), p.getDouble("t_min", 1e-3), schedule.tMin(), schedule.tMax());
    }

    ContinuousSchedule continuousSchedule() {
        return schedule;
    }

    /** Whether step {@code i} adds noise: not the last one when denoising. */
    boolean noisy(int i) {
        return !(denoise && i == steps() - 1);
    }

    /** The length {@code t_i - t_{i+1}} of step {@code i} (time runs backwards). */
    double length(int i) {
        return grid[i] - grid[i + 1];
    }

    @Override
    protected double stateTime(int i) {
        return grid[i];
    }

    /** The score {@code -eps_theta(x, t) / sigma_t} at the variance-preserving {@code x}. */
    Tensor score(Step step, Tensor x, double t) {
        NoiseLevel level = NoiseLevel.ofAlphaBar(schedule.alphaBar(t));
        return step.model(x, t).eps(level).mul(-1 / level.sigma());
    }

    /**
     * One Euler-Maruyama step of the reverse SDE {@code dx = [f(t) x - g(t)^2 s(x, t)] dt + g(t) dw}
     * from {@code t_i} over {@code dt = -length(i)}, with noise unless it is the denoising last step.
     */
    Tensor eulerMaruyama(int i, Tensor x, Step step) {
        double t = grid[i];
        double dt = length(i);
        double beta = schedule.beta(t);
        Tensor mean = x.linear(1 + 0.5 * beta * dt, score(step, x, t), beta * dt);
        return noisy(i) ? mean.linear(1, step.noise(x), Math.sqrt(beta * dt)) : mean;
    }
}
