package org.ddpm4j.samplers.likelihood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.samplers.AnalyticVariance;
import org.junit.jupiter.api.Test;

/**
 * The bound with learned and analytic reverse variances, on Gaussian data {@code N(m, s^2 I)} where
 * {@code Gamma_t = sigma_t^2 / (alpha_t^2 s^2 + sigma_t^2)} is known: the learned paths agree with the
 * fixed and analytic ones when the model outputs those variances, and the analytic variance gives
 * the tightest bound.
 */
class ElboVarianceTest {
    private static final JavaBackend BACKEND = new JavaBackend();
    private static final double S = 0.3;
    private static final GaussianMixture GAUSSIAN = new GaussianMixture(new double[] {1}, new double[][] {{0.2, -0.1}}, new double[] {S});
    private static final DiscreteSchedule SCHEDULE = (DiscreteSchedule) PluginRegistry.load().createSchedule("linear",
            Parameters.of("num_train_timesteps", 100, "beta_end", 0.2));

    private static double[] gamma() {
        double[] g = new double[SCHEDULE.trainSteps()];
        for (int t = 0; t < g.length; t++) {
            double ab = SCHEDULE.alphaBar(t);
            g[t] = (1 - ab) / (ab * S * S + 1 - ab);
        }
        return g;
    }

    /** The exact denoiser with variance channels {@code channel(t)}. */
    private static Denoiser withVariance(Denoiser mean, VarianceOutput kind, java.util.function.IntToDoubleFunction channel) {
        return new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return mean.parameterization();
            }

            @Override
            public VarianceOutput varianceOutput() {
                return kind;
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                double[] v = new double[(int) x.size()];
                Arrays.fill(v, channel.applyAsDouble((int) t[0]));
                return VarianceOutput.join(mean.predict(x, t, condition), BACKEND.fromHost(v, x.shape()));
            }
        };
    }

    private static Tensor data(int n) {
        double[][] x = GAUSSIAN.sample(n, new GaussianNoise(4));
        double[] flat = new double[2 * n];
        for (int i = 0; i < n; i++) {
            flat[2 * i] = x[i][0];
            flat[2 * i + 1] = x[i][1];
        }
        return BACKEND.fromHost(flat, n, 2);
    }

    private static double mean(Elbo elbo, Denoiser model, Tensor data) {
        return Arrays.stream(elbo.evaluate(model, data, Condition.none(), 8).total()).average().orElseThrow();
    }

    @Test
    void learnedVariancesEqualToFixedOrAnalyticOnesGiveTheSameBound() {
        Denoiser exact = new GaussianMixtureDenoiser(GAUSSIAN, SCHEDULE, false);
        Tensor data = data(64);
        double[] gamma = gamma();
        for (Elbo.Decoder decoder : Elbo.Decoder.values()) {
            double large = mean(new Elbo(SCHEDULE, Elbo.Variance.FIXED_LARGE, null, decoder), exact, data);
            double rangeAtOne = mean(new Elbo(SCHEDULE, Elbo.Variance.LEARNED, null, decoder),
                    withVariance(exact, VarianceOutput.LEARNED_RANGE, t -> 1.0), data);
            assertEquals(large, rangeAtOne, 1e-9 * Math.abs(large), decoder + ": learned_range v = 1 is fixed_large");
            double analytic = mean(new Elbo(SCHEDULE, Elbo.Variance.ANALYTIC, gamma, decoder), exact, data);
            double learnedAnalytic = mean(new Elbo(SCHEDULE, Elbo.Variance.LEARNED, null, decoder), withVariance(exact, VarianceOutput.LEARNED,
                    t -> AnalyticVariance.optimal(t == 0 ? 1 : SCHEDULE.alphaBar(t - 1), SCHEDULE.alphaBar(t), gamma[t])), data);
            assertEquals(analytic, learnedAnalytic, 1e-9 * Math.abs(analytic), decoder + ": learned variance = analytic one");
        }
    }

    @Test
    void theAnalyticVarianceGivesTheTightestBound() {
        Denoiser exact = new GaussianMixtureDenoiser(GAUSSIAN, SCHEDULE, false);
        Tensor data = data(2000);
        double small = mean(new Elbo(SCHEDULE, Elbo.Variance.FIXED_SMALL, null, Elbo.Decoder.GAUSSIAN), exact, data);
        double large = mean(new Elbo(SCHEDULE, Elbo.Variance.FIXED_LARGE, null, Elbo.Decoder.GAUSSIAN), exact, data);
        double analytic = mean(new Elbo(SCHEDULE, Elbo.Variance.ANALYTIC, gamma(), Elbo.Decoder.GAUSSIAN), exact, data);
        double nll = 0;
        double[] x = data.toDoubleArray();
        for (int i = 0; i < 2000; i++) {
            nll -= GAUSSIAN.logDensity(new double[] {x[2 * i], x[2 * i + 1]}) / 2000;
        }
        assertTrue(analytic < small && analytic < large, "analytic " + analytic + ", fixed_small " + small + ", fixed_large " + large);
        assertTrue(analytic > nll - 0.05, "a bound: " + analytic + " vs NLL " + nll);
    }

    @Test
    void aLearnedBoundNeedsAVarianceOutput() {
        Denoiser exact = new GaussianMixtureDenoiser(GAUSSIAN, SCHEDULE, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Elbo(SCHEDULE, Elbo.Variance.LEARNED, null, Elbo.Decoder.GAUSSIAN).evaluate(exact, data(4), Condition.none(), 1));
        assertTrue(e.getMessage().contains("outputs its variance"), e.getMessage());
    }
}
