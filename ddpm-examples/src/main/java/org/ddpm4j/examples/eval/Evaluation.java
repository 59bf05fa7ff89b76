package org.ddpm4j.examples.eval;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.samplers.AnalyticVariance;
import org.ddpm4j.samplers.likelihood.Elbo;

/**
 * The measurements of an image denoiser on its test images that do not sample: the evaluation
 * classifier's accuracy and reference features, and the ELBO in bits per dimension. The guidance
 * sweep ({@link GuidanceSweep}) measures the samples.
 */
public final class Evaluation {
    private final TensorBackend backend;
    private final ArrayData test;
    private final PrintWriter console;

    public Evaluation(TensorBackend backend, ArrayData test, PrintWriter console) {
        this.backend = backend;
        this.test = test;
        this.console = console;
    }

    /** The classifier's features of the test images, the reference of FD-classifier; its accuracy on them goes into {@code report}. */
    public double[][] judgeTestImages(EvaluationClassifier judge, Map<String, Object> report) {
        try (TensorScope scope = backend.openScope()) {
            Tensor images = EvaluationClassifier.batch(test, 0, test.size(), backend);
            double accuracy = judge.accuracy(images, labels(test));
            report.put("classifier_test_accuracy", accuracy);
            report.put("test_images", test.size());
            console.printf(Locale.ROOT, "evaluation classifier: %.1f %% accuracy on %d test images%n", 100 * accuracy, test.size());
            return judge.features(images);
        }
    }

    /**
     * The ELBO of the first {@code images} test images (unconditional: the null class) in bits per
     * dimension: its mean, standard error, the number of images, the decoder and the reverse variance
     * ({@code ANALYTIC}: Analytic-DPM's Gamma_t estimated on the same images with other noise).
     *
     * @param parameter the name under which a schedule that is not discrete is reported
     * @param progress  told the number of ELBO terms done (of the schedule's training steps)
     */
    public Map<String, Object> bitsPerDim(Schedule schedule, Denoiser denoiser, Elbo.Variance variance, int images, long seed,
                                          String parameter,
                                          IntConsumer progress) {
        if (!(schedule instanceof DiscreteSchedule discrete)) {
            throw new InvalidParameterException(parameter, images, "needs a model of a discrete schedule; this one has " + schedule.name());
        }
        int n = Math.min(images, test.size());
        long started = System.nanoTime();
        try (TensorScope scope = backend.openScope()) {
            Tensor x0 = EvaluationClassifier.batch(test, 0, n, backend);
            Condition condition = denoiser.numClasses() > 0 ? Condition.repeat(Condition.NULL_CLASS, n) : Condition.none();
            double[] gamma = null;
            if (variance == Elbo.Variance.ANALYTIC) {
                double[] times = new double[discrete.trainSteps()];
                Arrays.setAll(times, t -> t);
                gamma = AnalyticVariance.epsMoments(denoiser, discrete, times, x0, condition, seed + 1);
            }
            Elbo.Terms terms = new Elbo(discrete, variance, gamma, Elbo.Decoder.DISCRETIZED).evaluate(denoiser, x0, condition, seed, progress);
            double[] bits = terms.bitsPerDim(x0.sampleSize());
            double mean = Arrays.stream(bits).average().orElseThrow();
            double sd = Math.sqrt(Arrays.stream(bits).map(b -> (b - mean) * (b - mean)).sum() / Math.max(1, n - 1));
            console.printf(Locale.ROOT, "ELBO: %.3f bits/dim (+- %.3f standard error) on %d test images, %.0f s%n", mean, sd / Math.sqrt(n), n,
                    (System.nanoTime() - started) / 1e9);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", mean);
            m.put("standard_error", sd / Math.sqrt(n));
            m.put("images", n);
            m.put("decoder", "discretized Gaussian, 8-bit");
            m.put("reverse_variance", variance.name().toLowerCase(Locale.ROOT));
            return m;
        }
    }

    /**
     * Analytic-DPM's {@code Gamma_t} ({@link AnalyticVariance#epsMoments}) at {@code timesteps}, from the
     * first {@code images} test images noised afresh, asked with their own labels for a class-conditional
     * model (the conditional prediction; guidance changes it, which this estimate does not follow).
     */
    public double[] epsMoments(Denoiser denoiser, DiscreteSchedule schedule, double[] timesteps, int images, long seed) {
        int n = Math.min(images, test.size());
        try (TensorScope scope = backend.openScope()) {
            Tensor x0 = EvaluationClassifier.batch(test, 0, n, backend);
            Condition condition = denoiser.numClasses() > 0 ? Condition.classes(Arrays.copyOf(labels(test), n)) : Condition.none();
            return AnalyticVariance.epsMoments(denoiser, schedule, timesteps, x0, condition, seed);
        }
    }

    static int[] labels(ArrayData data) {
        int[] labels = new int[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        return labels;
    }
}
