package org.ddpm4j.backend.java.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddpm4j.testkit.TestSchedules;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;

class GaussianMixtureDenoiserTest {
    private final JavaBackend backend = new JavaBackend();
    private final DiscreteSchedule schedule = TestSchedules.linear(1000);
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.3, 0.7},
            new double[][] {{-2, 1}, {1.5, -0.5}}, new double[] {0.4, 0.8});

    @Test
    void epsilonIsMinusSigmaTimesTheScoreOfTheNoisedMixture() {
        GaussianMixtureDenoiser denoiser = new GaussianMixtureDenoiser(mixture, schedule, false);
        double[][] points = {{0.3, -0.2}, {-2.5, 1.7}, {3.0, 0.1}};
        for (double t : new double[] {0, 10, 250.5, 600, 999}) {
            double alpha = schedule.signal(t);
            double sigma = schedule.noise(t);
            for (double[] x : points) {
                double[] eps = denoiser.predict(backend.fromHost(x, 1, 2), t, Condition.none()).toDoubleArray();
                for (int j = 0; j < 2; j++) {
                    // central difference of log q(x_t): an independent route to the score
                    double h = 1e-5;
                    double[] plus = x.clone();
                    double[] minus = x.clone();
                    plus[j] += h;
                    minus[j] -= h;
                    double score = (mixture.logDensity(plus, alpha, sigma) - mixture.logDensity(minus, alpha, sigma)) / (2 * h);
                    assertEquals(-sigma * score, eps[j], 1e-6 * Math.max(1, Math.abs(eps[j])), "eps at t = " + t);
                }
            }
        }
    }

    @Test
    void theIdealDenoiserOfPointsAveragesThemWithSoftmaxWeights() {
        double[][] data = {{0, 0}, {1, 0}, {0, 2}};
        GaussianMixtureDenoiser denoiser = new GaussianMixtureDenoiser(GaussianMixture.ofPoints(data), schedule, false);
        double t = 300;
        double alpha = schedule.signal(t);
        double sigma = schedule.noise(t);
        double[] x = {0.4, 0.9};
        Tensor xt = backend.fromHost(x, 1, 2);
        double[] x0 = Parameterization.EPSILON.convert(denoiser.predict(xt, t, Condition.none()), Parameterization.SAMPLE,
                xt, alpha, sigma).toDoubleArray();
        double[] logits = new double[3];
        for (int i = 0; i < 3; i++) {
            double d0 = x[0] - alpha * data[i][0];
            double d1 = x[1] - alpha * data[i][1];
            logits[i] = -(d0 * d0 + d1 * d1) / (2 * sigma * sigma);
        }
        double z = GaussianMixture.logSumExp(logits);
        double e0 = 0;
        double e1 = 0;
        for (int i = 0; i < 3; i++) {
            e0 += Math.exp(logits[i] - z) * data[i][0];
            e1 += Math.exp(logits[i] - z) * data[i][1];
        }
        assertEquals(e0, x0[0], 1e-9);
        assertEquals(e1, x0[1], 1e-9);
    }

    @Test
    void aClassRestrictsTheMixtureToItsComponent() {
        GaussianMixtureDenoiser conditional = new GaussianMixtureDenoiser(mixture, schedule, true);
        GaussianMixtureDenoiser only1 = new GaussianMixtureDenoiser(mixture.component(1), schedule, false);
        GaussianMixtureDenoiser unconditional = new GaussianMixtureDenoiser(mixture, schedule, false);
        Tensor x = backend.fromHost(new double[] {0.2, 0.1, -1, 2}, 2, 2);
        double[] t = {500, 120};
        assertEquals(2, conditional.numClasses());
        assertArrayClose(only1.predict(x, t, Condition.none()).toDoubleArray(),
                conditional.predict(x, t, Condition.classes(1, 1)).toDoubleArray());
        assertArrayClose(unconditional.predict(x, t, Condition.none()).toDoubleArray(),
                conditional.predict(x, t, Condition.classes(Condition.NULL_CLASS, Condition.NULL_CLASS)).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> conditional.predict(x, t, Condition.classes(2, 0)));
        assertThrows(IllegalArgumentException.class, () -> unconditional.predict(x, t, Condition.classes(0, 1)));
    }

    @Test
    void fractionalTimesInterpolateSigmaLinearly() {
        GaussianMixtureDenoiser denoiser = new GaussianMixtureDenoiser(mixture, schedule, false);
        double t = 400.25;
        double sigma = 0.75 * schedule.sigma(400) + 0.25 * schedule.sigma(401);
        double alphaBar = 1 / (1 + sigma * sigma);
        assertEquals(alphaBar, schedule.alphaBar(t), 1e-14);
        Tensor x = backend.fromHost(new double[] {0.5, 0.5}, 1, 2);
        double[] eps = denoiser.predict(x, t, Condition.none()).toDoubleArray();
        double a = Math.sqrt(alphaBar);
        double s = Math.sqrt(1 - alphaBar);
        double h = 1e-5;
        double score0 = (mixture.logDensity(new double[] {0.5 + h, 0.5}, a, s) - mixture.logDensity(new double[] {0.5 - h, 0.5}, a, s)) / (2 * h);
        assertEquals(-s * score0, eps[0], 1e-6);
    }

    @Test
    void samplesHaveTheMixtureMoments() {
        double[][] xs = mixture.sample(20000, new GaussianNoise(7));
        double m0 = 0;
        for (double[] x : xs) {
            m0 += x[0];
        }
        m0 /= xs.length;
        double expected = 0.3 * -2 + 0.7 * 1.5;
        assertEquals(expected, m0, 0.05);
    }

    @Test
    void badMixturesAreRejectedWithTheParameterName() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> GaussianMixture.fromParameters(Parameters.of(Map.of("weights", java.util.List.of(1.0, -1.0),
                        "means", java.util.List.of(java.util.List.of(0.0), java.util.List.of(1.0)), "stds", java.util.List.of(1.0, 1.0)))));
        assertTrue(e.getMessage().contains("weights[1]"), e.getMessage());
        e = assertThrows(InvalidParameterException.class,
                () -> new GaussianMixture(new double[] {1, 1}, new double[][] {{0, 0}, {1}}, new double[] {1, 1}));
        assertTrue(e.getMessage().contains("means[1]"), e.getMessage());
    }

    private static void assertArrayClose(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12);
        }
    }
}
