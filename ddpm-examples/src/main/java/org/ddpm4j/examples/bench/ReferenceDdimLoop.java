package org.ddpm4j.examples.bench;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * Deterministic DDIM (Song et al. 2021, eta = 0) with diffusers' "leading" timesteps and a memory
 * scope per step, written against the API: the baseline that {@code bench backend} compares the
 * {@code ddim} sampler plugin with (same denoiser calls, nothing else), and a plain sampler for
 * tests. One {@link #step()}:
 * {@code x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)}, {@code x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps}.
 */
public final class ReferenceDdimLoop {
    private final Denoiser eps;
    private final DiscreteSchedule schedule;
    private final Tensor noise;
    private final Condition condition;
    private final int[] times;
    private Tensor x;
    private int done;

    public ReferenceDdimLoop(Denoiser denoiser, DiscreteSchedule schedule, Tensor noise, int steps, Condition condition) {
        this.eps = denoiser.as(Parameterization.EPSILON, schedule);
        this.schedule = schedule;
        this.noise = noise;
        this.condition = condition;
        this.x = noise;
        this.times = timesteps(schedule, steps);
    }

    /** The model times of the steps, in order: diffusers' "leading" spacing, {@code (steps - 1 - i) * (T / steps)}. */
    public static int[] timesteps(DiscreteSchedule schedule, int steps) {
        int ratio = schedule.trainSteps() / steps;
        int[] times = new int[steps];
        for (int i = 0; i < steps; i++) {
            times[i] = (steps - 1 - i) * ratio;
        }
        return times;
    }

    /** Runs all steps from {@code noise} (left open) and returns {@code x_0}. */
    public static Tensor sample(Denoiser denoiser, DiscreteSchedule schedule, Tensor noise, int steps, Condition condition) {
        ReferenceDdimLoop loop = new ReferenceDdimLoop(denoiser, schedule, noise, steps, condition);
        while (!loop.isDone()) {
            loop.step();
        }
        return loop.state();
    }

    public boolean isDone() {
        return done == times.length;
    }

    /** The model time of the next step. */
    public int time() {
        return times[done];
    }

    /** The current state {@code x_t} (after the last step: {@code x_0}). */
    public Tensor state() {
        return x;
    }

    public void step() {
        double alphaBar = schedule.alphaBar(times[done]);
        double previous = done + 1 < times.length ? schedule.alphaBar(times[done + 1]) : 1.0;
        try (TensorScope scope = noise.backend().openScope()) {
            Tensor e = eps.predict(x, times[done], condition);
            Tensor x0 = x.linear(1 / Math.sqrt(alphaBar), e, -Math.sqrt((1 - alphaBar) / alphaBar));
            Tensor next = x0.linear(Math.sqrt(previous), e, Math.sqrt(1 - previous));
            if (x != noise) {
                x.close();
            }
            x = scope.keep(next);
        }
        done++;
    }
}
