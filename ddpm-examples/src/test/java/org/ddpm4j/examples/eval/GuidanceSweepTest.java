package org.ddpm4j.examples.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.core.pipeline.Noise;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.flow.Reflow;
import org.junit.jupiter.api.Test;

/**
 * The sweep on a 2-D mixture of three overlapping classes with its exact conditional denoiser and its
 * Bayes classifier as the judge: classifier-free guidance (w = 0 unconditional, 1 conditional) raises the
 * class accuracy of the samples and moves them away from the data (a larger Frechet distance), every
 * scale from the same noise.
 */
class GuidanceSweepTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();
    private final TensorBackend backend = new JavaBackend();
    private final Schedule schedule = REGISTRY.createSchedule("linear", Parameters.empty());
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.4, 0.3, 0.3},
            new double[][] {{-1, 0}, {1, 0}, {0, 1.2}}, new double[] {0.7, 0.7, 0.7});
    private final EvaluationClassifier judge = new EvaluationClassifier(new GaussianMixtureJudge(mixture, schedule));
    private final double[][] reference = mixture.sample(900, new GaussianNoise(3));
    // Euler, not DDIM: DDIM clips its x0 predictions to [-1, 1] by default, which these data leave
    private final Sampler sampler = REGISTRY.createSampler("euler", schedule, Parameters.of("steps", 20));

    private List<Map<String, Object>> sweep(Denoiser model, List<Double> scales) {
        GuidanceSweep sweep = new GuidanceSweep(sampler, Guide.classifierFree(c -> REGISTRY.createGuidance(c.type(), c.asParameters()), model, schedule), 150, scales, 1,
                label -> StepListener.NONE);
        return sweep.run(backend, judge, reference, null, new PrintWriter(new StringWriter()));
    }

    @Test
    void guidanceRaisesTheClassAccuracyAndTheDistanceToTheData() {
        List<Map<String, Object>> rows = sweep(new GaussianMixtureDenoiser(mixture, schedule, true), List.of(0.0, 1.0, 4.0));
        assertEquals(3, rows.size());
        assertEquals("cfg", rows.get(0).get("guidance"));
        assertEquals(List.of(0.0, 1.0, 4.0), rows.stream().map(r -> r.get("scale")).toList());
        assertEquals(450, rows.get(0).get("samples"));
        double[] accuracy = rows.stream().mapToDouble(r -> (double) r.get("class_accuracy")).toArray();
        double[] fd = rows.stream().mapToDouble(r -> (double) r.get("fd_classifier")).toArray();
        // w = 0 is the unconditional model: its samples ignore the labels (accuracy near 1/3, 5 standard errors);
        // w = 1 samples each class's component, which overlaps the others; w = 4 sharpens the classes
        assertEquals(1 / 3.0, accuracy[0], 5 * Math.sqrt(2 / 9.0 / 450), "unconditional samples: accuracy " + accuracy[0]);
        assertTrue(accuracy[1] > accuracy[0] + 0.2 && accuracy[1] < 0.95, "conditional samples: accuracy " + accuracy[1]);
        assertTrue(accuracy[2] > accuracy[1] + 0.05, "guidance sharpens the classes: accuracy " + accuracy[1] + " at w = 1, " + accuracy[2] + " at w = 4");
        assertTrue(fd[0] < 0.1, "w = 0 samples the data distribution (FD " + fd[0] + ")");
        assertTrue(fd[2] > fd[0] && fd[2] > fd[1], "guidance moves samples away from the data: FD " + Arrays.toString(fd));
        assertFalse(rows.get(0).containsKey("grid"), "no files without an output folder");
        assertEquals(rows.stream().map(r -> r.get("class_accuracy")).toList(),
                sweep(new GaussianMixtureDenoiser(mixture, schedule, true), List.of(0.0, 1.0, 4.0)).stream().map(r -> r.get("class_accuracy")).toList(),
                "the same seed gives the same samples");
    }

    @Test
    void anUnconditionalModelIsSampledOnceUnguided() {
        List<Map<String, Object>> rows = sweep(new GaussianMixtureDenoiser(mixture, schedule, false), List.of(0.0, 4.0));
        assertEquals(1, rows.size());
        assertEquals("none", rows.get(0).get("guidance"));
        assertFalse(rows.get(0).containsKey("scale"));
        assertEquals(150, rows.get(0).get("samples"));
    }

    @Test
    void straightnessIsMeasuredPerScaleFromTheSamplesNoiseAndClasses() {
        // classes of unit-variance Gaussians on the rectified-flow path: at w = 1 each class's flow has the
        // Gaussian's closed-form straightness (2 - pi / 2) E||z||^2 (StraightnessTest); at w = 0 the paths bend more
        FlowSchedule flow = (FlowSchedule) REGISTRY.createSchedule("rectified-flow", Parameters.empty());
        GaussianMixture unit = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{-3, 0}, {3, 1}}, new double[] {1, 1});
        Denoiser model = new GaussianMixtureDenoiser(unit, flow, true).as(Parameterization.FLOW, flow);
        Sampler euler = REGISTRY.createSampler("flow-euler", flow, Parameters.of("steps", 4));
        Guide guide = Guide.classifierFree(c -> REGISTRY.createGuidance(c.type(), c.asParameters()), model, flow);
        GuidanceSweep sweep = new GuidanceSweep(euler, guide, 100, List.of(0.0, 1.0), 1, label -> StepListener.NONE)
                .withStraightness((guided, noise, options) -> Reflow.straightness(guided, flow,
                        c -> REGISTRY.createSampler(c.type(), flow, Parameters.of(c.parameters())), noise, options, 400));
        List<Map<String, Object>> rows = sweep.run(backend, new EvaluationClassifier(new GaussianMixtureJudge(unit, flow)),
                unit.sample(300, new GaussianNoise(3)), null, new PrintWriter(new StringWriter()));
        double squared = 0;
        for (double v : Noise.seeded(model, backend, 200, 1).toDoubleArray()) {
            squared += v * v;
        }
        double expected = (2 - Math.PI / 2) * squared / 200;
        assertEquals(expected, (double) rows.get(1).get("straightness"), 0.01 * expected, "w = 1");
        assertTrue((double) rows.get(0).get("straightness") > 2 * expected, "w = 0: " + rows.get(0).get("straightness"));
    }

    @Test
    void badSettingsAreRejected() {
        Guide guide = Guide.classifierFree(c -> REGISTRY.createGuidance(c.type(), c.asParameters()), new GaussianMixtureDenoiser(mixture, schedule, true), schedule);
        assertThrows(IllegalArgumentException.class, () -> new GuidanceSweep(sampler, guide, 0, List.of(1.0), 1, l -> StepListener.NONE));
        assertThrows(IllegalArgumentException.class, () -> new GuidanceSweep(sampler, guide, 1, List.of(-1.0), 1, l -> StepListener.NONE));
    }
}
