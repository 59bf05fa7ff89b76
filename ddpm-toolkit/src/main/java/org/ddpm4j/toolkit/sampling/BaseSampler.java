package org.ddpm4j.toolkit.sampling;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * What every sampler of this module shares: the plan of model times, the run plumbing
 * ({@link RuleRun}: one memory scope per step, NaN checks, listeners) and the link between the sampler's
 * own state and the variance-preserving {@code x_t} that runs report. A sampler adds its update rule.
 *
 * <p>A sampler may keep its state in another form than {@code x_t}: the sigma-space family keeps
 * k-diffusion's {@code x_t / alpha_t}. {@link #stateScale} converts: {@code x_t = stateScale(i) * state_i}.
 */
public abstract class BaseSampler implements Sampler {
    private final String name;
    private final Schedule schedule;
    private final double[] timesteps;

    protected BaseSampler(String name, Schedule schedule, double[] timesteps) {
        this.name = name;
        this.schedule = schedule;
        this.timesteps = timesteps.clone();
    }

    /** A fresh update rule (with an empty history) for one run. */
    protected abstract UpdateRule newRule();

    /** {@code init_noise_sigma}: the initial state is {@code noise * initialScale()}. */
    public double initialScale() {
        return 1;
    }

    /** {@code x_t = stateScale(i) * state} for the state after {@code i} steps ({@code 0 <= i <= steps()}). */
    public double stateScale(int i) {
        return 1;
    }

    /** The model time of the state after {@code i} steps; the last one is {@link Schedule#tMin()} unless overridden. */
    protected double stateTime(int i) {
        return i < timesteps.length ? timesteps[i] : schedule.tMin();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Schedule schedule() {
        return schedule;
    }

    @Override
    public int steps() {
        return timesteps.length;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public SamplingRun start(Denoiser denoiser, Tensor noise, SampleOptions options) {
        return new RuleRun(this, denoiser, noise.mul(initialScale()), 0, options);
    }

    @Override
    public SamplingRun startAt(int step, Denoiser denoiser, Tensor state, SampleOptions options) {
        if (step < 0 || step >= steps()) {
            throw new InvalidParameterException("step", step, "must be an integer in [0, " + (steps() - 1) + "] for sampler '" + name + "'");
        }
        return new RuleRun(this, denoiser, state.mul(1 / stateScale(step)), step, options);
    }

    @Override
    public String toString() {
        return name + " on " + schedule.name() + " " + Arrays.toString(timesteps);
    }
}
