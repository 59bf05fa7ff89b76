package org.ddpm4j.guidance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.schedules.LinearSchedule;
import org.ddpm4j.toolkit.guidance.FixedCondition;
import org.junit.jupiter.api.Test;

/** A guided model with fixed labels, asked without a condition (as the step-schedule search asks): the guided flow of those labels. */
class FixedConditionTest {
    private final DiscreteSchedule schedule = LinearSchedule.create(Parameters.empty());
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{-2}, {2}}, new double[] {0.3, 0.3});
    private final Tensor x = new JavaBackend().fromHost(new double[] {-1.0, 0.5, 0.2}, 3, 1);

    @Test
    void aGuidedModelAskedWithoutConditionAnswersForTheFixedLabels() {
        Denoiser conditional = new GaussianMixtureDenoiser(mixture, schedule, true);
        Denoiser guided = new ClassifierFreeGuidance(Parameters.of(Map.of("scale", 3.0, "thresholding", true)))
                .guide(conditional, GuidanceContext.of(schedule));
        Condition labels = Condition.classes(1, 0, 1);
        double[] expected = guided.predict(x, 400.0, labels).toDoubleArray();
        assertArrayEquals(expected, FixedCondition.of(guided, labels).predict(x, 400.0, Condition.none()).toDoubleArray(), 0);
        assertArrayEquals(expected, FixedCondition.of(guided, labels).predict(x, 400.0, Condition.classes(0, 0, 0)).toDoubleArray(), 0);
        // the labels matter: the other component's guided prediction is another one
        double[] swapped = FixedCondition.of(guided, Condition.classes(0, 1, 0)).predict(x, 400.0, Condition.none()).toDoubleArray();
        assertTrue(Math.abs(swapped[0] - expected[0]) > 1e-3, "class 0 and class 1 guide apart");
    }

    @Test
    void aBatchOfAnotherSizeOrNoLabelsIsRejected() {
        Denoiser conditional = new GaussianMixtureDenoiser(mixture, schedule, true);
        Denoiser fixed = FixedCondition.of(conditional, Condition.classes(0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fixed.predict(x, 400.0, Condition.none()));
        assertTrue(e.getMessage().contains("2 fixed labels") && e.getMessage().contains("not 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FixedCondition.of(conditional, Condition.none()));
    }
}
