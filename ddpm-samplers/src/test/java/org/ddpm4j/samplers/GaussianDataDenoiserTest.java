package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.GaussianDataDenoiser;
import org.ddpm4j.testkit.TestSchedules;
import org.junit.jupiter.api.Test;

/**
 * The sampler contract's Gaussian-data model predicts every parameterization in closed form: each
 * equals the exact conversion of its noise prediction, and the velocity stays finite at pure noise.
 */
class GaussianDataDenoiserTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void everyParameterizationIsTheConversionOfTheNoisePrediction() {
        for (Schedule schedule : new Schedule[] {TestSchedules.linear(1000), TestSchedules.vp(), TestSchedules.rectifiedFlow()}) {
            GaussianDataDenoiser eps = new GaussianDataDenoiser(schedule, 0.2);
            Tensor x = backend.fromHost(new double[] {0.3, -1.2, 2.0}, 3, 1);
            double[] t = {schedule.tMax() * 0.1, schedule.tMax() * 0.5, schedule.tMax() * 0.9};
            for (Parameterization p : Parameterization.values()) {
                double[] direct = new GaussianDataDenoiser(schedule, 0.2, p).predict(x, t, Condition.none()).toDoubleArray();
                double[] converted = eps.as(p, schedule).predict(x, t, Condition.none()).toDoubleArray();
                assertArrayEquals(converted, direct, 1e-9, schedule.name() + " " + p);
            }
        }
    }

    @Test
    void aFlowPathGetsAVelocityModelWhoseVelocityIsFiniteAtPureNoise() {
        Schedule flow = TestSchedules.rectifiedFlow();
        GaussianDataDenoiser model = GaussianDataDenoiser.trainedOn(flow, 0.2);
        assertEquals(Parameterization.FLOW, model.parameterization());
        assertEquals(Parameterization.EPSILON, GaussianDataDenoiser.trainedOn(TestSchedules.linear(1000), 0.2).parameterization());
        // at s = 1 the point is pure noise: E[eps | x] = x and E[x_0 | x] = 0, so the velocity eps - x_0 is x
        double[] u = model.predict(backend.fromHost(new double[] {0.7}, 1, 1), new double[] {flow.tMax()}, Condition.none()).toDoubleArray();
        assertArrayEquals(new double[] {0.7}, u, 1e-12);
    }
}
