package org.ddpm4j.examples.bench;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * Deterministic DDIM (Song et al. 2021, eta = 0) with diffusers' "leading" timesteps and a memory
 * scope per step, written against the API: the benchmark's sampler until it switches to the
 * {@code ddim} sampler plugin (developed in another module).
 * {@code x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)}, {@code x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps}.
 */
public final class ReferenceDdimLoop {
    private ReferenceDdimLoop() {
    }

    /** The model times of a run of {@code steps} steps, first to last. */
    public static int[] timesteps(DiscreteSchedule schedule, int steps) {
        int ratio = schedule.trainSteps() / steps;
        int[] t = new int[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = (steps - 1 - i) * ratio;
        }
        return t;
    }

    /** Runs the reverse process from {@code noise}; the noise itself is left open. */
    public static Tensor sample(Denoiser denoiser, DiscreteSchedule schedule, Tensor noise, int steps, Condition condition) {
        Denoiser eps = denoiser.as(Parameterization.EPSILON, schedule);
        int[] times = timesteps(schedule, steps);
        Tensor x = noise;
        for (int i = 0; i < steps; i++) {
            double alphaBar = schedule.alphaBar(times[i]);
            double previous = i + 1 < steps ? schedule.alphaBar(times[i + 1]) : 1.0;
            try (TensorScope scope = noise.backend().openScope()) {
                Tensor e = eps.predict(x, times[i], condition);
                Tensor x0 = x.linear(1 / Math.sqrt(alphaBar), e, -Math.sqrt((1 - alphaBar) / alphaBar));
                Tensor next = x0.linear(Math.sqrt(previous), e, Math.sqrt(1 - previous));
                if (x != noise) {
                    x.close();
                }
                x = scope.keep(next);
            }
        }
        return x;
    }
}
