package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Dynamic thresholding in the flow samplers acts on the x_0 the velocity implies: one Euler step from
 * a point at s to s = 0 lands on that x_0, so it lands on its thresholded value; and Euler's and Heun's last step
 * (an Euler step to s = 0) ends on a thresholded x_0, inside [-1, 1], where the mixture's own samples
 * (means at +-1.5) lie outside.
 */
class FlowThresholdingTest {
    private static final FlowSchedule FLOW = (FlowSchedule) Mixtures.REGISTRY.createSchedule("rectified-flow", Parameters.empty());
    private static final Denoiser VELOCITY = Mixtures.denoiser(FLOW).as(Parameterization.FLOW, FLOW);

    private static double[] sample(String sampler, Parameters p, Tensor noise) {
        return Mixtures.REGISTRY.createSampler(sampler, FLOW, p).sample(VELOCITY, noise, SampleOptions.defaults()).toDoubleArray();
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void oneEulerStepToTheDataLandsOnTheThresholdedPrediction() {
        Tensor x = Mixtures.noise(64, 3).mul(2); // read as points of the path at s = 0.3
        double[] plain = sample("flow-euler", Parameters.of("sigmas", List.of(0.3)), x); // x - 0.3 u(x, 0.3): the model's x_0
        // sample_max_value = 1 makes the per-sample threshold 1: x_0 clamped to [-1, 1]
        double[] thresholded = sample("flow-euler", Parameters.of("sigmas", List.of(0.3), "thresholding", true), x);
        assertTrue(maxAbs(plain) > 1.2, "the test needs predictions outside [-1, 1]: " + maxAbs(plain));
        for (int i = 0; i < plain.length; i++) {
            assertEquals(Math.max(-1, Math.min(1, plain[i])), thresholded[i], 1e-12, "coordinate " + i);
        }
    }

    @Test
    void eulerAndHeunEndOnAThresholdedPrediction() {
        Tensor noise = Mixtures.noise(64, 4);
        Parameters dynamic = Parameters.of("steps", 8, "thresholding", true, "dynamic_thresholding_ratio", 0.9, "sample_max_value", 3.0);
        for (String name : new String[] {"flow-euler", "flow-heun"}) {
            double[] plain = sample(name, Parameters.of("steps", 8), noise);
            double[] thresholded = sample(name, dynamic, noise);
            assertTrue(maxAbs(plain) > 1.5, name + " without thresholding: " + maxAbs(plain));
            assertTrue(maxAbs(thresholded) <= 1 + 1e-12, name + " with thresholding: " + maxAbs(thresholded));
        }
        double[] midpoint = sample("flow-midpoint", dynamic, noise);
        assertTrue(maxAbs(midpoint) < maxAbs(sample("flow-midpoint", Parameters.of("steps", 8), noise)), "midpoint thresholds too");
    }
}
