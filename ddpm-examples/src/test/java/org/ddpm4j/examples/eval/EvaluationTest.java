package org.ddpm4j.examples.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.samplers.likelihood.Elbo;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{-1, 0}, {1, 0}}, new double[] {0.5, 0.5});
    // Four points: three on their class's side, one (label 0 at x = +2) on the other's.
    private final ArrayData test = new ArrayData(new float[] {-1, 0, -2, 1, 1, 0, 2, 0}, new int[] {2}, new int[] {0, 0, 1, 0}, 2);
    private final StringWriter console = new StringWriter();
    private final Evaluation evaluation = new Evaluation(new JavaBackend(), test, new PrintWriter(console, true));

    @Test
    void theJudgeIsScoredOnTheTestImagesAndTheirFeaturesAreTheReference() {
        Schedule schedule = REGISTRY.createSchedule("linear", Parameters.empty());
        Map<String, Object> report = new LinkedHashMap<>();
        double[][] features = evaluation.judgeTestImages(new EvaluationClassifier(new GaussianMixtureJudge(mixture, schedule)), report);
        assertEquals(0.75, report.get("classifier_test_accuracy"));
        assertEquals(4, report.get("test_images"));
        assertArrayEquals(new double[] {-2, 1}, features[1], 1e-6);
    }

    @Test
    void bitsPerDimNeedsADiscreteSchedule() {
        Schedule vp = REGISTRY.createSchedule("vp", Parameters.empty());
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> evaluation.bitsPerDim(vp,
                new GaussianMixtureDenoiser(mixture, vp, false), Elbo.Variance.FIXED_SMALL, 2, 0, "--bits-per-dim", done -> { }));
        assertEquals("--bits-per-dim", e.parameter());
    }
}
