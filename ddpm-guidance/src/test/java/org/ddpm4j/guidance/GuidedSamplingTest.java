package org.ddpm4j.guidance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureClassifier;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.EnergyDistance;
import org.junit.jupiter.api.Test;

/**
 * Guided sampling on a Gaussian mixture whose components are the classes, where the truth is known
 * without training: the conditional distribution of class y is component y.
 */
class GuidedSamplingTest {
    private static final int N = 400;
    private static final int TARGET = 1;

    private final PluginRegistry registry = PluginRegistry.load();
    private final JavaBackend backend = new JavaBackend();
    private final Schedule schedule = registry.createSchedule("linear", Parameters.empty());
    private final Sampler ddpm = registry.createSampler("ddpm", schedule, Parameters.of("steps", 250, "clip_sample", false));
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.3, 0.2},
            new double[][] {{-1, 0}, {1, 0.5}, {0, -1.2}}, new double[] {1.0, 1.0, 1.0});
    private final Denoiser conditional = new GaussianMixtureDenoiser(mixture, schedule, true);
    private final Denoiser unconditional = new GaussianMixtureDenoiser(mixture, schedule, false);
    private final GuidanceContext context = GuidanceContext.of(schedule).withClassifier(new GaussianMixtureClassifier(mixture, schedule));

    private double[][] sample(Guidance guidance, Denoiser model, long seed) {
        Tensor noise = backend.randn(new GaussianNoise(seed), N, 2);
        Tensor x = ddpm.sample(guidance.guide(model, context), noise,
                SampleOptions.defaults().withSeed(seed + 1).withCondition(Condition.repeat(TARGET, N)));
        double[] v = x.toDoubleArray();
        double[][] points = new double[N][];
        for (int i = 0; i < N; i++) {
            points[i] = new double[] {v[2 * i], v[2 * i + 1]};
        }
        return points;
    }

    @Test
    void cfgAtScaleOneSamplesExactlyTheChosenComponent() {
        double[][] guided = sample(new ClassifierFreeGuidance(Parameters.of("scale", 1.0)), conditional, 10);
        double[][] truth = mixture.component(TARGET).sample(N, new GaussianNoise(99));
        double p = EnergyDistance.pValue(guided, truth, 200, 5);
        assertTrue(p > 0.01, "CFG w = 1 vs samples of component 1: p = " + p);
        double[][] otherClass = mixture.component(0).sample(N, new GaussianNoise(98));
        double power = EnergyDistance.pValue(guided, otherClass, 200, 5);
        assertTrue(power < 0.01, "the test tells component 0 apart: p = " + power);
    }

    @Test
    void classifierGuidanceAtScaleOneSamplesTheComponentAndAgreesWithCfg() {
        double[][] classifier = sample(new ClassifierGuidance(Parameters.of("scale", 1.0)), unconditional, 10);
        double[][] cfg = sample(new ClassifierFreeGuidance(Parameters.of("scale", 1.0)), conditional, 10);
        for (int i = 0; i < N; i++) {
            assertEquals(cfg[i][0], classifier[i][0], 1e-8, "sample " + i);
            assertEquals(cfg[i][1], classifier[i][1], 1e-8, "sample " + i);
        }
        double p = EnergyDistance.pValue(classifier, mixture.component(TARGET).sample(N, new GaussianNoise(97)), 200, 6);
        assertTrue(p > 0.01, "classifier guidance s = 1 vs component 1: p = " + p);
    }

    @Test
    void largerScalesRaiseTheFractionOfSamplesInTheChosenClass() {
        double[] scales = {0, 1, 2, 4};
        double[] cfg = new double[scales.length];
        double[] classifier = new double[scales.length];
        StringBuilder table = new StringBuilder("scale  cfg    classifier\n");
        for (int k = 0; k < scales.length; k++) {
            cfg[k] = fractionInTarget(sample(new ClassifierFreeGuidance(Parameters.of("scale", scales[k])), conditional, 20));
            classifier[k] = fractionInTarget(sample(new ClassifierGuidance(Parameters.of("scale", scales[k])), unconditional, 20));
            table.append(String.format(Locale.ROOT, "%5.1f  %.3f  %.3f%n", scales[k], cfg[k], classifier[k]));
        }
        System.out.print(table);
        for (int k = 1; k < scales.length; k++) {
            assertTrue(cfg[k] > cfg[k - 1], "CFG fraction rises with the scale:\n" + table);
            assertTrue(classifier[k] > classifier[k - 1], "classifier-guidance fraction rises with the scale:\n" + table);
        }
        assertEquals(0.3, cfg[0], 0.08, "unguided: about the class's weight 0.3 lands there");
        // with exact models eps(x,y) - eps(x,null) = -sigma grad log p(y|x): the two methods coincide at every scale
        org.junit.jupiter.api.Assertions.assertArrayEquals(cfg, classifier, 1e-12, table.toString());
    }

    /** The fraction of points whose most likely component (under the clean mixture) is the target. */
    private double fractionInTarget(double[][] points) {
        GaussianMixtureClassifier exact = new GaussianMixtureClassifier(mixture, schedule);
        double[] flat = new double[2 * points.length];
        for (int i = 0; i < points.length; i++) {
            flat[2 * i] = points[i][0];
            flat[2 * i + 1] = points[i][1];
        }
        double[] t = new double[points.length]; // t = 0: alphaBar_0 ~ 1, the clean responsibilities
        double[] logp = exact.logProbabilities(backend.fromHost(flat, points.length, 2), t).toDoubleArray();
        int hits = 0;
        for (int i = 0; i < points.length; i++) {
            int best = 0;
            for (int c = 1; c < 3; c++) {
                if (logp[3 * i + c] > logp[3 * i + best]) {
                    best = c;
                }
            }
            hits += best == TARGET ? 1 : 0;
        }
        return (double) hits / points.length;
    }
}
