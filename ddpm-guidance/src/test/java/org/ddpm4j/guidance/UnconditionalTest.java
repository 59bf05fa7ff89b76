package org.ddpm4j.guidance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.toolkit.guidance.Unconditional;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.schedules.LinearSchedule;
import org.junit.jupiter.api.Test;

class UnconditionalTest {
    private final DiscreteSchedule schedule = LinearSchedule.create(Parameters.empty());
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{-2}, {2}}, new double[] {0.3, 0.3});

    @Test
    void aConditionalModelAnswersWithItsNullClassWhateverTheCondition() {
        Denoiser conditional = new GaussianMixtureDenoiser(mixture, schedule, true);
        Denoiser whole = new GaussianMixtureDenoiser(mixture, schedule, false);
        Tensor x = new JavaBackend().fromHost(new double[] {-1.0, 0.5}, 2, 1);
        double[] expected = whole.predict(x, 300.0, Condition.none()).toDoubleArray();
        double[] nullClass = conditional.predict(x, 300.0, Condition.repeat(Condition.NULL_CLASS, 2)).toDoubleArray();
        assertArrayEquals(expected, nullClass, 1e-12, "the null class of the mixture's conditional model is the whole mixture");
        assertArrayEquals(expected, Unconditional.of(conditional).predict(x, 300.0, Condition.classes(0, 1)).toDoubleArray(), 1e-12);
    }

    @Test
    void anUnconditionalModelIsReturnedAsItIs() {
        Denoiser whole = new GaussianMixtureDenoiser(mixture, schedule, false);
        assertSame(whole, Unconditional.of(whole));
    }
}
