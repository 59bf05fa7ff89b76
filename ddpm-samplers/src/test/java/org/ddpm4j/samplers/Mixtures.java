package org.ddpm4j.samplers;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.backend.java.JavaBackend;

/** The analytic test problem: a 2-D mixture of three Gaussians, its exact denoiser, schedules and noise. */
final class Mixtures {
    static final PluginRegistry REGISTRY = PluginRegistry.load();
    static final TensorBackend BACKEND = new JavaBackend();
    static final GaussianMixture MIXTURE = new GaussianMixture(new double[] {0.5, 0.3, 0.2},
            new double[][] {{-1.5, 0.5}, {1.0, 1.0}, {0.5, -1.5}}, new double[] {0.3, 0.5, 0.4});

    private Mixtures() {
    }

    static Schedule linear() {
        return REGISTRY.createSchedule("linear", Parameters.empty());
    }

    static Schedule vp() {
        return REGISTRY.createSchedule("vp", Parameters.empty());
    }

    static GaussianMixtureDenoiser denoiser(Schedule schedule) {
        return new GaussianMixtureDenoiser(MIXTURE, schedule, false);
    }

    /** Standard normal noise [n, 2] from a seed. */
    static Tensor noise(int n, long seed) {
        return BACKEND.randn(new GaussianNoise(seed), n, 2);
    }
}
