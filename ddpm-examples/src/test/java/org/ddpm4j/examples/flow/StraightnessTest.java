package org.ddpm4j.examples.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.api.Test;

/**
 * Liu et al.'s straightness against closed forms on the exact flow of the rectified-flow path:
 * <ul>
 *   <li>a single-point target {@code mu}: every path {@code x_s = (1 - s) mu + s z} is straight, S = 0;</li>
 *   <li>Gaussian data {@code N(mu, I)} in d dimensions: the ODE path from z is
 *       {@code x_s = (1 - s) mu + r(s) z} with {@code r = sqrt((1 - s)^2 + s^2)}, so
 *       {@code S = ||z||^2 int_0^1 (r' - 0)^2 ds = (2 - pi / 2) ||z||^2} per point (with
 *       {@code t = 2s - 1}: {@code int_{-1}^{1} t^2 / (1 + t^2) dt}), whatever the mean; the same for each
 *       class of a class-conditional mixture of such Gaussians, given the class.</li>
 * </ul>
 */
class StraightnessTest {
    private final PluginRegistry registry = PluginRegistry.load();
    private final JavaBackend backend = new JavaBackend();
    private final FlowSchedule flow = (FlowSchedule) registry.createSchedule("rectified-flow", Parameters.empty());

    private Denoiser exactFlow(GaussianMixture data, boolean conditional) {
        return new GaussianMixtureDenoiser(data, flow, conditional).as(Parameterization.FLOW, flow);
    }

    private double straightness(Denoiser model, Tensor noise, SampleOptions options, int steps) {
        return Reflow.straightness(model, flow, c -> registry.createSampler(c.type(), flow, Parameters.of(c.parameters())), noise, options, steps);
    }

    /** {@code (2 - pi / 2) E ||z||^2} over these noises. */
    private static double gaussianStraightness(Tensor noise) {
        double sum = 0;
        for (double v : noise.toDoubleArray()) {
            sum += v * v;
        }
        return (2 - Math.PI / 2) * sum / noise.batchSize();
    }

    @Test
    void aSinglePointTargetHasStraightPaths() {
        GaussianMixture point = new GaussianMixture(new double[] {1}, new double[][] {{1.5, -0.5, 2}}, new double[] {0});
        Tensor noise = backend.randn(new GaussianNoise(3), 50, 3);
        assertEquals(0, straightness(exactFlow(point, false), noise, SampleOptions.defaults(), 20), 1e-9);
    }

    @Test
    void gaussianDataHaveTheClosedFormStraightness() {
        GaussianMixture gaussian = new GaussianMixture(new double[] {1}, new double[][] {{2, -1, 0.5, 0}}, new double[] {1});
        Tensor noise = backend.randn(new GaussianNoise(5), 200, 4);
        double expected = gaussianStraightness(noise);
        // Euler's discretisation error is first order in the step: 1 % at 400 steps
        assertEquals(expected, straightness(exactFlow(gaussian, false), noise, SampleOptions.defaults(), 400), 0.01 * expected);
    }

    @Test
    void eachClassOfAConditionalMixtureOfUnitGaussiansHasTheGaussiansStraightness() {
        GaussianMixture classes = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{-3, 0}, {3, 1}}, new double[] {1, 1});
        int n = 200;
        Tensor noise = backend.randn(new GaussianNoise(7), n, 2);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        Denoiser model = exactFlow(classes, true);
        double expected = gaussianStraightness(noise);
        double given = straightness(model, noise, SampleOptions.defaults().withCondition(Condition.classes(labels)), 400);
        assertEquals(expected, given, 0.01 * expected);
        // without the class the data are two distant modes: the paths bend far more
        double unconditional = straightness(exactFlow(classes, false), noise, SampleOptions.defaults(), 400);
        assertTrue(unconditional > 2 * expected, unconditional + " vs " + expected);
    }
}
