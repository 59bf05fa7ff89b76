package org.ddpm4j.backend.djl;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * Deterministic DDIM (Song et al. 2021, eta = 0) with diffusers' "leading" timesteps, written
 * against the API with a memory scope per step: a stand-in for the {@code ddim} sampler plugin,
 * which lives in another module, in this module's tests.
 * {@code x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)}, {@code x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps}.
 */
final class ReferenceDdimLoop {
    private ReferenceDdimLoop() {
    }

    static Tensor sample(Denoiser denoiser, DiscreteSchedule schedule, Tensor noise, int steps, Condition condition) {
        Denoiser eps = denoiser.as(Parameterization.EPSILON, schedule);
        int ratio = schedule.trainSteps() / steps;
        Tensor x = noise;
        for (int i = steps - 1; i >= 0; i--) {
            int t = i * ratio;
            double alphaBar = schedule.alphaBar(t);
            double previous = i > 0 ? schedule.alphaBar(t - ratio) : 1.0;
            try (TensorScope scope = noise.backend().openScope()) {
                Tensor e = eps.predict(x, t, condition);
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
