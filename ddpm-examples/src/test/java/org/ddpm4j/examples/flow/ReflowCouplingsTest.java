package org.ddpm4j.examples.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ArrayData;
import org.junit.jupiter.api.Test;

/**
 * The couplings of a class-conditional flow: pair {@code i} belongs to class {@code i mod K}, its
 * noise half is the seed's noise and its data half is the teacher's ODE solution for that class,
 * guided as the teacher given (here the exact velocity of a mixture whose components are the classes).
 */
class ReflowCouplingsTest {
    private final PluginRegistry registry = PluginRegistry.load();
    private final JavaBackend backend = new JavaBackend();
    private final FlowSchedule flow = (FlowSchedule) registry.createSchedule("rectified-flow", Parameters.empty());
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.3, 0.2},
            new double[][] {{-2, 0}, {2, 1}, {0, -2}}, new double[] {0.5, 0.4, 0.6});
    private final Denoiser velocity = new GaussianMixtureDenoiser(mixture, flow, true).as(Parameterization.FLOW, flow);

    @Test
    void eachCouplingIsTheTeachersFlowOfItsClassFromTheSeedsNoise() {
        int n = 300;
        Sampler heun = registry.createSampler("flow-heun", flow, Parameters.of("steps", 20));
        List<Integer> done = new ArrayList<>();
        ArrayData pairs = Reflow.couplings(velocity, heun, new int[] {2}, n, 3, 11, backend, done::add);
        assertEquals(List.of(n), done, "one chunk of 2-D points, reported once");
        assertEquals(3, pairs.numClasses());
        assertArrayEquals(new int[] {2, 2}, pairs.sampleShape());
        int[] labels = new int[n];
        float[] all = new float[4 * n];
        for (int i = 0; i < n; i++) {
            labels[i] = pairs.label(i);
            assertEquals(i % 3, labels[i], "balanced classes");
            pairs.copySample(i, all, 4 * i);
        }
        // the noise halves are the seed's noise, the data halves that noise through the ODE of its class
        double[] z = backend.randn(new GaussianNoise(11), n, 2).toDoubleArray();
        double[] x = heun.sample(velocity, backend.fromHost(z, n, 2), SampleOptions.defaults().withCondition(Condition.classes(labels)))
                .toDoubleArray();
        double[] spread = new double[3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(z[2 * i + j], all[4 * i + 2 + j], 1e-6, "noise of pair " + i);
                assertEquals(x[2 * i + j], all[4 * i + j], 1e-5, "sample of pair " + i);
            }
            double[] mu = mixture.mean(labels[i]);
            spread[labels[i]] += (Math.pow(all[4 * i] - mu[0], 2) + Math.pow(all[4 * i + 1] - mu[1], 2)) / (n / 3.0);
        }
        for (int c = 0; c < 3; c++) {
            // w = 1 (the teacher as given) is the exact class: E|x - mu_c|^2 = 2 std_c^2
            double expected = 2 * mixture.std(c) * mixture.std(c);
            assertEquals(expected, spread[c], 0.3 * expected, "spread of class " + c);
        }
    }

    @Test
    void aGuidedTeacherPutsItsGuidanceIntoTheCouplings() {
        int n = 300;
        Sampler heun = registry.createSampler("flow-heun", flow, Parameters.of("steps", 20));
        Denoiser guided = registry.createGuidance("cfg", Parameters.of("scale", 4.0)).guide(velocity, GuidanceContext.of(flow));
        ArrayData plain = Reflow.couplings(velocity, heun, new int[] {2}, n, 3, 11, backend, k -> { });
        ArrayData sharp = Reflow.couplings(guided, heun, new int[] {2}, n, 3, 11, backend, k -> { });
        float[] p = new float[4];
        float[] s = new float[4];
        double plainPosterior = 0;
        double sharpPosterior = 0;
        for (int i = 0; i < n; i++) {
            plain.copySample(i, p, 0);
            sharp.copySample(i, s, 0);
            assertArrayEquals(new float[] {p[2], p[3]}, new float[] {s[2], s[3]}, 0f, "the same noise");
            plainPosterior += logPosterior(p[0], p[1], i % 3) / n;
            sharpPosterior += logPosterior(s[0], s[1], i % 3) / n;
        }
        // w > 1 moves each coupling to points the mixture attributes to its class more surely
        assertTrue(sharpPosterior > plainPosterior + 0.5 * Math.abs(plainPosterior), plainPosterior + " vs " + sharpPosterior);
    }

    /** {@code log p(k | x)} under the data mixture. */
    private double logPosterior(double x, double y, int k) {
        return mixture.logPosterior(new double[] {x, y}, k);
    }
}
