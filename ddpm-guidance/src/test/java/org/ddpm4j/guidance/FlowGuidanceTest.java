package org.ddpm4j.guidance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;

/**
 * Classifier-free guidance on a flow model, unchanged: guiding the velocity is guiding the noise
 * (the maps between them are affine with equal coefficients for both halves), and a guided flow
 * sampler concentrates the exact conditional mixture's samples on their class.
 */
class FlowGuidanceTest {
    private final PluginRegistry registry = PluginRegistry.load();
    private final JavaBackend backend = new JavaBackend();
    private final FlowSchedule flow = (FlowSchedule) registry.createSchedule("rectified-flow", Parameters.empty());
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.3, 0.2},
            new double[][] {{-2, 0}, {2, 1}, {0, -2}}, new double[] {0.5, 0.4, 0.6});
    private final Denoiser noiseModel = new GaussianMixtureDenoiser(mixture, flow, true);
    private final Denoiser velocityModel = noiseModel.as(Parameterization.FLOW, flow);

    @Test
    void guidingTheVelocityIsGuidingTheNoise() {
        Tensor x = backend.randn(new GaussianNoise(5), 6, 2);
        double[] t = {20, 150, 400, 600, 850, 990};
        Condition y = Condition.classes(0, 1, 2, 2, 1, 0);
        ClassifierFreeGuidance cfg = new ClassifierFreeGuidance(Parameters.of("scale", 3.0));
        Tensor u = cfg.guide(velocityModel, GuidanceContext.of(flow)).predict(x, t, y);
        Tensor eps = cfg.guide(noiseModel, GuidanceContext.of(flow)).predict(x, t, y);
        double[] alpha = new double[t.length];
        double[] sigma = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            alpha[i] = flow.signal(t[i]);
            sigma[i] = flow.noise(t[i]);
        }
        double[] expected = eps.toDoubleArray();
        double[] actual = Parameterization.FLOW.convert(u, Parameterization.EPSILON, x, alpha, sigma).toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-10, "element " + i);
        }
    }

    /** {@code log p(k | x)} under the data mixture. */
    private double logPosterior(double x, double y, int k) {
        return mixture.logPosterior(new double[] {x, y}, k);
    }

    @Test
    void aGuidedFlowSamplerConcentratesOnTheClass() {
        Sampler euler = registry.createSampler("flow-euler", flow, Parameters.of("steps", 40));
        Tensor noise = backend.randn(new GaussianNoise(8), 2000, 2);
        int[] ones = new int[2000];
        java.util.Arrays.fill(ones, 1);
        Condition class1 = Condition.classes(ones);
        double[] spread = new double[2];
        double[] logPosterior = new double[2];
        double[] scales = {1, 4};
        for (int k = 0; k < 2; k++) {
            Denoiser guided = new ClassifierFreeGuidance(Parameters.of("scale", scales[k])).guide(velocityModel, GuidanceContext.of(flow));
            double[] s = euler.sample(guided, noise, SampleOptions.defaults().withCondition(class1)).toDoubleArray();
            for (int i = 0; i < s.length; i += 2) {
                spread[k] += (Math.pow(s[i] - 2, 2) + Math.pow(s[i + 1] - 1, 2)) / 2000;
                logPosterior[k] += logPosterior(s[i], s[i + 1], 1) / 2000;
            }
        }
        // w = 1 is the exact class: E|x - mu|^2 = 2 std^2 = 0.32 (Euler's error at 40 steps is small)
        assertEquals(0.32, spread[0], 0.05, "conditional spread");
        // w > 1 pushes toward points the mixture attributes to the class more surely
        assertTrue(logPosterior[1] > logPosterior[0] + 0.5 * Math.abs(logPosterior[0]),
                "guidance raises log p(class | x): " + logPosterior[1] + " vs " + logPosterior[0]);
    }
}
