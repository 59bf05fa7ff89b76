package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.junit.jupiter.api.Test;

/**
 * Analytic-DPM on Gaussian data {@code N(m, s^2 I)}, where everything is known in closed form:
 * {@code E[eps | x_t] = sigma (x_t - alpha m) / (alpha^2 s^2 + sigma^2)}, so
 * {@code Gamma_t = sigma_t^2 / (alpha_t^2 s^2 + sigma_t^2)}, and the true reverse conditional
 * {@code q(x_s | x_t)} is Gaussian with variance {@code betaTilde + c0^2 Var(x_0 | x_t)},
 * {@code c0 = sqrt(alphaBar_s) beta_{t|s} / (1 - alphaBar_t)}, {@code Var(x_0 | x_t) = s^2 sigma^2 / (alpha^2 s^2 + sigma^2)}.
 */
class AnalyticVarianceTest {
    private static final double[] MEAN = {0.7, -0.4};
    private static final double S = 0.5;
    private static final GaussianMixture GAUSSIAN = new GaussianMixture(new double[] {1}, new double[][] {MEAN}, new double[] {S});
    private static final DiscreteSchedule SCHEDULE = (DiscreteSchedule) Mixtures.linear();

    private static double gamma(double alphaBar) {
        return (1 - alphaBar) / (alphaBar * S * S + 1 - alphaBar);
    }

    private static double trueReverseVariance(double alphaBarS, double alphaBarT) {
        double beta = 1 - alphaBarT / alphaBarS;
        double betaTilde = (1 - alphaBarS) / (1 - alphaBarT) * beta;
        double c0 = Math.sqrt(alphaBarS) * beta / (1 - alphaBarT);
        double posterior = S * S * (1 - alphaBarT) / (alphaBarT * S * S + 1 - alphaBarT);
        return betaTilde + c0 * c0 * posterior;
    }

    private static Tensor data(int n, long seed) {
        double[] z = Mixtures.BACKEND.randn(new GaussianNoise(seed), n, 2).toDoubleArray();
        for (int k = 0; k < z.length; k++) {
            z[k] = MEAN[k % 2] + S * z[k];
        }
        return Mixtures.BACKEND.fromHost(z, n, 2);
    }

    @Test
    void theOptimalVarianceIsTheTrueReverseVarianceOfGaussianData() {
        int[][] pairs = {{999, 899}, {500, 400}, {100, 0}, {20, 10}, {1, 0}, {600, 599}};
        for (int[] pair : pairs) {
            double alphaBarT = SCHEDULE.alphaBar(pair[0]);
            double alphaBarS = SCHEDULE.alphaBar(pair[1]);
            double expected = trueReverseVariance(alphaBarS, alphaBarT);
            assertEquals(expected, AnalyticVariance.optimal(alphaBarS, alphaBarT, gamma(alphaBarT)), 1e-12 * expected,
                    "t = " + pair[0] + ", s = " + pair[1]);
        }
    }

    @Test
    void theMonteCarloEstimateOfGammaMatchesItsClosedForm() {
        GaussianMixtureDenoiser exact = new GaussianMixtureDenoiser(GAUSSIAN, SCHEDULE, false);
        double[] times = {999, 700, 300, 50, 5};
        int n = 4000;
        double[] estimate = AnalyticVariance.epsMoments(exact, SCHEDULE, times, data(n, 3), Condition.none(), 11);
        for (int k = 0; k < times.length; k++) {
            double g = gamma(SCHEDULE.alphaBar((int) times[k]));
            // ||E[eps|x_t]||^2 / d is Gamma chi^2_d / d: relative sd sqrt(2 / (n d))
            assertEquals(g, estimate[k], 5 * g * Math.sqrt(2.0 / (2 * n)), "t = " + times[k]);
        }
    }

    @Test
    void ancestralSamplingWithTheEstimatedVarianceReproducesTheDataVariance() {
        // started from the exact q(x_T), the chain with the true reverse conditionals ends at E[x_0 | x_{t_last}]
        // (the last step is the mean), whose variance is s^2 alphaBar s^2 / (alphaBar s^2 + 1 - alphaBar)
        GaussianMixtureDenoiser exact = new GaussianMixtureDenoiser(GAUSSIAN, SCHEDULE, false);
        int steps = 10;
        BaseSampler plan = (BaseSampler) Mixtures.REGISTRY.createSampler("ddpm", SCHEDULE, Parameters.of("steps", steps, "clip_sample", false));
        double[] times = plan.timesteps();
        double[] moments = AnalyticVariance.epsMoments(exact, SCHEDULE, times, data(2000, 5), Condition.none(), 13);
        double alphaBarT = SCHEDULE.alphaBar((int) times[0]);
        int n = 20000;
        double[] z = Mixtures.BACKEND.randn(new GaussianNoise(21), n, 2).toDoubleArray();
        for (int k = 0; k < z.length; k++) {
            z[k] = Math.sqrt(alphaBarT) * MEAN[k % 2] + Math.sqrt(alphaBarT * S * S + 1 - alphaBarT) * z[k];
        }
        Tensor start = Mixtures.BACKEND.fromHost(z, n, 2);
        double last = SCHEDULE.alphaBar((int) times[steps - 1]);
        double expected = S * S * last * S * S / (last * S * S + 1 - last);
        double tolerance = 5 * expected * Math.sqrt(2.0 / (2 * n)) + 2e-3 * expected;
        double analytic = variance(Mixtures.REGISTRY.createSampler("ddpm", SCHEDULE, Parameters.of("steps", steps, "clip_sample", false,
                "variance_type", "analytic", "analytic_eps_moments", moments)).sample(exact, start, SampleOptions.defaults().withSeed(2)));
        double small = variance(Mixtures.REGISTRY.createSampler("ddpm", SCHEDULE, Parameters.of("steps", steps, "clip_sample", false))
                .sample(exact, start, SampleOptions.defaults().withSeed(2)));
        assertEquals(expected, analytic, tolerance, "analytic variance; fixed_small gives " + small);
        assertTrue(Math.abs(small - expected) > 4 * tolerance, "fixed_small " + small + " should miss " + expected + " at " + steps + " steps");
    }

    /** The per-coordinate sample variance (about the sample mean), averaged over coordinates. */
    private static double variance(Tensor x) {
        double[] v = x.toDoubleArray();
        int n = x.batchSize();
        double total = 0;
        for (int j = 0; j < 2; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += v[2 * i + j] / n;
            }
            for (int i = 0; i < n; i++) {
                total += (v[2 * i + j] - mean) * (v[2 * i + j] - mean) / (n - 1) / 2;
            }
        }
        return total;
    }
}
