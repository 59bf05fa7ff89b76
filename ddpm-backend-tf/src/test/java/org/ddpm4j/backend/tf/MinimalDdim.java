package org.ddpm4j.backend.tf;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * A minimal deterministic DDIM sampler (eta = 0, evenly spaced steps) for the tests of this module
 * only: the real samplers live in {@code ddpm-samplers}, which a backend does not depend on.
 * {@code x_{s} = alpha_s x0_hat + sigma_s eps_hat} with {@code x0_hat = (x_t - sigma_t eps_hat) / alpha_t},
 * one memory scope per step; the state of the previous step is closed when replaced (as the
 * samplers do), so the loop holds one state at a time.
 */
final class MinimalDdim {
    private MinimalDdim() {
    }

    static Tensor sample(Denoiser model, DiscreteSchedule schedule, Tensor noise, int steps, Condition condition) {
        Denoiser eps = model.as(Parameterization.EPSILON, schedule);
        int last = schedule.trainSteps() - 1;
        Tensor x = noise;
        for (int i = 0; i < steps; i++) {
            int t = Math.round((float) last * (steps - i) / steps);
            int s = Math.round((float) last * (steps - i - 1) / steps);
            double alphaT = Math.sqrt(schedule.alphaBar(t));
            double sigmaT = Math.sqrt(1 - schedule.alphaBar(t));
            double alphaS = i == steps - 1 ? 1 : Math.sqrt(schedule.alphaBar(s));
            double sigmaS = i == steps - 1 ? 0 : Math.sqrt(1 - schedule.alphaBar(s));
            try (TensorScope scope = x.backend().openScope()) {
                Tensor e = eps.predict(x, t, condition);
                Tensor next = scope.keep(x.linear(alphaS / alphaT, e, sigmaS - alphaS * sigmaT / alphaT));
                if (x != noise) {
                    x.close();
                }
                x = next;
            }
        }
        return x;
    }
}
