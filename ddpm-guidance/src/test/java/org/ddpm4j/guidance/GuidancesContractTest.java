package org.ddpm4j.guidance;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureClassifier;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.schedules.LinearSchedule;
import org.ddpm4j.testkit.GuidanceContract;

/** Every guidance that {@link GuidancePlugin} lists passes the guidance contract, on the exact models of a Gaussian mixture. */
class GuidancesContractTest extends GuidanceContract {
    private final Schedule schedule = LinearSchedule.create(Parameters.empty());
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.3, 0.2},
            new double[][] {{-2, 0}, {2, 1}, {0, -2}}, new double[] {0.5, 0.4, 0.6});

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }

    @Override
    protected Schedule schedule() {
        return schedule;
    }

    @Override
    protected Denoiser conditionalModel() {
        return new GaussianMixtureDenoiser(mixture, schedule, true);
    }

    @Override
    protected Denoiser unconditionalModel() {
        return new GaussianMixtureDenoiser(mixture, schedule, false);
    }

    @Override
    protected Classifier classifier() {
        return new GaussianMixtureClassifier(mixture, schedule);
    }
}
