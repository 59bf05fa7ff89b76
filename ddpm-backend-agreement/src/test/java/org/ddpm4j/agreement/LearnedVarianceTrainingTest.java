package org.ddpm4j.agreement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.samplers.AnalyticVariance;
import org.ddpm4j.samplers.likelihood.Gaussians;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Learned variances on both backends (Nichol &amp; Dhariwal 2021): the backends' variational terms are
 * the closed forms of {@link Gaussians} (KL of the posterior and the model's step; the discretized
 * and the Gaussian decoder), the hybrid objective's stop-gradient keeps {@code L_vlb} off the mean,
 * and a short training on a 2-D mixture moves the learned variance toward the optimum, which the
 * mixture's exact denoiser gives (Analytic-DPM's {@code Gamma_t}).
 */
class LearnedVarianceTrainingTest extends OnBothBackends {
    private static final double LN2 = Math.log(2);

    private static DiscreteSchedule linear(int steps, double betaEnd) {
        return (DiscreteSchedule) Backends.REGISTRY.createSchedule("linear",
                Parameters.of("num_train_timesteps", steps, "beta_start", 1e-3, "beta_end", betaEnd));
    }

    private static NetworkSpec mlp(int hidden, Parameterization p) {
        return new NetworkSpec("mlp", new int[] {2}, 0, p, Parameters.of("hidden", hidden, "blocks", 2, "time_embedding", 16),
                VarianceOutput.LEARNED_RANGE);
    }

    private static NetworkSpec unet(Parameterization p) {
        return new NetworkSpec("unet", new int[] {1, 8, 8}, 0, p, Parameters.of("channels", 8, "channel_mult", List.of(1, 2),
                "num_res_blocks", 1, "attention_levels", List.of(1), "groups", 4, "dropout", 0.0), VarianceOutput.LEARNED_RANGE);
    }

    /** Every weight redrawn small and non-zero (the zero-initialised output layers included), so that both halves of the output vary. */
    private static void randomise(TrainableDenoiser model, long seed) {
        GaussianNoise noise = new GaussianNoise(seed);
        Map<String, HostArray> state = new LinkedHashMap<>();
        model.exportState().forEach((k, v) -> {
            if (k.startsWith("weights/")) {
                float[] w = v.data().clone();
                for (int i = 0; i < w.length; i++) {
                    w[i] += (float) (0.2 * noise.next());
                }
                state.put(k, new HostArray(v.shape(), w));
            }
        });
        model.importState(state);
    }

    /** {@code n} points of two clusters, or {@code n} 8 x 8 images of 8-bit values in [-1, 1] with both extremes present. */
    private static Tensor data(TensorBackend backend, boolean images, int n) {
        GaussianNoise noise = new GaussianNoise(5);
        if (!images) {
            float[] x = new float[2 * n];
            for (int i = 0; i < n; i++) {
                x[2 * i] = (float) ((i % 2 == 0 ? -1 : 1) + 0.2 * noise.next());
                x[2 * i + 1] = (float) (0.2 * noise.next());
            }
            return backend.fromHost(x, n, 2);
        }
        float[] x = new float[n * 64];
        for (int j = 0; j < x.length; j++) {
            int level = j % 7 == 0 ? 0 : j % 11 == 0 ? 255 : noise.nextInt(256);
            x[j] = (float) (level / 127.5 - 1);
        }
        return backend.fromHost(x, n, 1, 8, 8);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"djl mlp", "tf mlp", "djl unet", "tf unet"})
    void theBackendsTermsAreTheClosedFormsOfTheKlAndTheDecoder(String backendAndNetwork) {
        NetworkBackend backend = backends.named(backendAndNetwork.split(" ")[0]);
        boolean images = backendAndNetwork.endsWith("unet");
        Parameterization p = images ? Parameterization.V : Parameterization.EPSILON;
        DiscreteSchedule schedule = linear(10, 0.2);   // few steps: the decoder (t = 0) appears in a batch of 32
        try (TrainableDenoiser model = backend.newDenoiser(images ? unet(p) : mlp(16, p), OptimizerSettings.defaults().withSeed(3))) {
            randomise(model, 4);
            Tensor x0 = data(backend, images, 32);
            Objective objective = new Objective(schedule, p, LossWeighting.UNIFORM, 0).withLoss(Objective.Loss.HYBRID, 0.001);
            TrainingBatch batch = objective.batch(x0, Condition.none(), new GaussianNoise(11));
            VarianceOutput.Split out = VarianceOutput.split(model.predict(batch.xt(), batch.t(), Condition.none()));
            double[] expected = terms(schedule, p, x0.toDoubleArray(), batch.xt().toDoubleArray(), batch.t(), out.prediction().toDoubleArray(),
                    out.variance().toDoubleArray(), images);
            double[] target = batch.target().toDoubleArray();
            double[] prediction = out.prediction().toDoubleArray();
            int d = x0.sampleSize();
            double expectedLoss = 0;
            for (int i = 0; i < expected.length; i++) {
                double mse = 0;
                for (int j = i * d; j < (i + 1) * d; j++) {
                    mse += (prediction[j] - target[j]) * (prediction[j] - target[j]) / d;
                }
                expectedLoss += (mse + 0.001 * schedule.trainSteps() * expected[i]) / expected.length;
            }
            double loss = model.trainStep(batch, 1e-8, 1);
            double[] actual = batch.vlb().terms();
            boolean decoder = false;
            boolean kl = false;
            for (int i = 0; i < expected.length; i++) {
                decoder |= batch.t()[i] == 0;
                kl |= batch.t()[i] > 0;
                assertEquals(expected[i], actual[i], 2e-4 + 2e-3 * Math.abs(expected[i]), "term of sample " + i + " at t = " + batch.t()[i]);
            }
            assertTrue(decoder && kl, "the batch holds decoder and KL terms");
            assertEquals(expectedLoss, loss, 1e-3 * Math.abs(expectedLoss), "L_simple + lambda T L_t");
        }
    }

    /** The terms computed on the host in double precision from the model's output, as {@code Elbo} does, in bits per dimension. */
    private static double[] terms(DiscreteSchedule s, Parameterization p, double[] x0, double[] xt, double[] t, double[] prediction, double[] v,
                                  boolean discretized) {
        int n = t.length;
        int d = x0.length / n;
        double[] terms = new double[n];
        for (int i = 0; i < n; i++) {
            int step = (int) t[i];
            double alpha = s.signal(t[i]);
            double sigma = s.noise(t[i]);
            Posterior posterior = s.posterior(step);
            double logLarge = Math.log(s.beta(step));
            double logSmall = Math.log(step == 0 ? s.posterior(1).variance() : posterior.variance());
            for (int j = i * d; j < (i + 1) * d; j++) {
                double x0Hat = p == Parameterization.EPSILON ? (xt[j] - sigma * prediction[j]) / alpha : alpha * xt[j] - sigma * prediction[j];
                double frac = (v[j] + 1) / 2;
                double logVar = frac * logLarge + (1 - frac) * logSmall;
                double term;
                if (step > 0) {
                    term = Gaussians.normalKl(posterior.coefX0() * x0[j] + posterior.coefXt() * xt[j], Math.log(posterior.variance()),
                            posterior.coefX0() * x0Hat + posterior.coefXt() * xt[j], logVar);
                } else if (discretized) {
                    term = -Gaussians.discretizedLogLikelihood(x0[j], x0Hat, logVar);
                } else {
                    double e = x0[j] - x0Hat;
                    term = 0.5 * (Math.log(2 * Math.PI) + logVar + e * e / Math.exp(logVar));
                }
                terms[i] += term / d / LN2;
            }
        }
        return terms;
    }

    @ParameterizedTest
    @ValueSource(strings = {"djl", "tf"})
    void theHybridObjectiveStopsTheGradientOfTheMeanInLvlb(String name) {
        NetworkBackend backend = backends.named(name);
        DiscreteSchedule schedule = linear(10, 0.2);
        Tensor x0 = data(backend, false, 32);
        OptimizerSettings plain = OptimizerSettings.defaults().withSeed(3).withWeightDecay(0).withGradientClipNorm(0);
        for (Objective.Loss loss : List.of(Objective.Loss.HYBRID, Objective.Loss.VLB)) {
            try (TrainableDenoiser model = backend.newDenoiser(mlp(16, Parameterization.EPSILON), plain)) {
                Objective objective = new Objective(schedule, Parameterization.EPSILON, LossWeighting.UNIFORM, 0).withLoss(loss, 0.001);
                TrainingBatch b = objective.batch(x0, Condition.none(), new GaussianNoise(11));
                float[] w0 = model.exportState().get("weights/output.weight").data();   // [2d, H]: rows 0, 1 the mean, 2, 3 the variance
                float[] bias0 = model.exportState().get("weights/output.bias").data();
                // L_vlb alone: the regression's weights set to 0 (L_vlb alone has them 0 already)
                model.trainStep(new TrainingBatch(b.xt(), b.t(), b.condition(), b.target(), new double[32], b.vlb()), 1e-2, 1);
                float[] w = model.exportState().get("weights/output.weight").data();
                float[] bias = model.exportState().get("weights/output.bias").data();
                int h = w.length / 4;
                double meanChange = Math.abs(bias[0] - bias0[0]) + Math.abs(bias[1] - bias0[1]);
                double varianceChange = Math.abs(bias[2] - bias0[2]) + Math.abs(bias[3] - bias0[3]);
                for (int k = 0; k < 2 * h; k++) {
                    meanChange += Math.abs(w[k] - w0[k]);
                    varianceChange += Math.abs(w[2 * h + k] - w0[2 * h + k]);
                }
                assertTrue(varianceChange > 0, loss + ": the variance rows learn from L_vlb");
                if (loss == Objective.Loss.HYBRID) {
                    assertEquals(0, meanChange, 0, "hybrid: L_vlb sends no gradient to the mean (its rows of the output layer do not move)");
                } else {
                    assertNotEquals(0, meanChange, "vlb alone trains the mean too");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"djl", "tf"})
    void aShortTrainingMovesTheLearnedVarianceTowardTheOptimum(String name) {
        NetworkBackend backend = backends.named(name);
        DiscreteSchedule schedule = linear(50, 0.2);
        GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{-1, 0}, {1, 0.5}}, new double[] {0.15, 0.15});
        double[][] points = mixture.sample(4000, new GaussianNoise(21));
        float[] flat = new float[2 * points.length];
        for (int i = 0; i < points.length; i++) {
            flat[2 * i] = (float) points[i][0];
            flat[2 * i + 1] = (float) points[i][1];
        }
        ArrayData data = new ArrayData(flat, new int[] {2}, null, 0);
        // lambda T = 1: the variance head learns at the mean's pace in a short run (the stop-gradient keeps it off the mean)
        Objective objective = new Objective(schedule, Parameterization.EPSILON, LossWeighting.UNIFORM, 0)
                .withLoss(Objective.Loss.HYBRID, 1.0 / schedule.trainSteps());
        int[] steps = {1, 2, 3, 5};
        double[] optimum = optimum(mixture, schedule, steps);
        try (TrainableDenoiser model = backend.newDenoiser(mlp(64, Parameterization.EPSILON), OptimizerSettings.defaults().withSeed(2))) {
            new Trainer(new TrainingSettings(800, 128, 2e-3, 50, true, 1, 0, 1), data, backend, TrainingListener.NONE)
                    .trainDenoiser(model, objective, Optional.empty(), false);
            List<String> report = new ArrayList<>();
            int checked = 0;
            for (int k = 0; k < steps.length; k++) {
                int t = steps[k];
                double logSmall = Math.log(schedule.posterior(t).variance());
                double logLarge = Math.log(schedule.beta(t));
                double uOptimum = (Math.log(optimum[k]) - logSmall) / (logLarge - logSmall);
                double uLearned = (Math.log(learnedVariance(model, backend, flat, schedule, t)) - logSmall) / (logLarge - logSmall);
                report.add(String.format("t=%d optimum %.3f learned %.3f", t, uOptimum, uLearned));
                if (Math.abs(uOptimum - 0.5) > 0.2) {   // the untrained head sits at u = 0.5 (v = 0)
                    checked++;
                    assertTrue(Math.abs(uLearned - uOptimum) < 0.5 * Math.abs(0.5 - uOptimum), "at t = " + t + ": " + report);
                }
            }
            assertTrue(checked >= 2, "steps whose optimum is away from the start: " + report);
        }
    }

    /**
     * Analytic-DPM's optimal reverse variance at each of {@code steps}, from the exact denoiser of the
     * mixture ({@code Gamma_t} on 20,000 points): the best variance shared by every {@code x_t}, which
     * the learned per-point variance averages to.
     */
    private static double[] optimum(GaussianMixture mixture, DiscreteSchedule schedule, int[] steps) {
        TensorBackend java = Backends.REGISTRY.createBackend("java", Parameters.empty());
        try (java) {
            double[][] points = mixture.sample(20_000, new GaussianNoise(33));
            double[] flat = new double[2 * points.length];
            for (int i = 0; i < points.length; i++) {
                flat[2 * i] = points[i][0];
                flat[2 * i + 1] = points[i][1];
            }
            double[] times = new double[steps.length];
            for (int k = 0; k < steps.length; k++) {
                times[k] = steps[k];
            }
            double[] gamma = AnalyticVariance.epsMoments(new GaussianMixtureDenoiser(mixture, schedule, false), schedule, times,
                    java.fromHost(flat, points.length, 2), Condition.none(), 44);
            double[] optimum = new double[steps.length];
            for (int k = 0; k < steps.length; k++) {
                optimum[k] = AnalyticVariance.optimal(schedule.alphaBar(steps[k] - 1), schedule.alphaBar(steps[k]), gamma[k]);
            }
            return optimum;
        }
    }

    /** The model's reverse variance at step {@code t}, averaged over {@code x_t ~ q(x_t)} from the training points. */
    private static double learnedVariance(TrainableDenoiser model, NetworkBackend backend, float[] points, DiscreteSchedule schedule, int t) {
        int n = points.length / 2;
        Tensor x0 = backend.fromHost(points, n, 2);
        Tensor xt = schedule.addNoise(x0, backend.randn(new GaussianNoise(55 + t), x0.shape()), (double) t);
        double[] v = VarianceOutput.split(model.predict(xt, (double) t, Condition.none())).variance().toDoubleArray();
        double logSmall = Math.log(schedule.posterior(t).variance());
        double logLarge = Math.log(schedule.beta(t));
        double sum = 0;
        for (double value : v) {
            double frac = (value + 1) / 2;
            sum += Math.exp(frac * logLarge + (1 - frac) * logSmall);
        }
        return sum / v.length;
    }
}
