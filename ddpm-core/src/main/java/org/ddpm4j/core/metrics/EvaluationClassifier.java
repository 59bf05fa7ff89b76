package org.ddpm4j.core.metrics;

import java.util.function.Function;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.training.TrainingData;

/**
 * A classifier of clean data used to judge generated data: its predicted labels give the class
 * accuracy of conditional samples, its penultimate features a Frechet distance between generated
 * and real data (an "FD-classifier": the construction of FID on this classifier's features, not
 * Inception's, so its values are not comparable with published FIDs). Evaluated at {@code t = 0}
 * in batches, so any number of samples fits in memory.
 */
public final class EvaluationClassifier {
    private static final int BATCH = 250;

    private final Classifier classifier;

    public EvaluationClassifier(Classifier classifier) {
        this.classifier = classifier;
    }

    /** The most probable class of each sample of {@code x [n, ...]}. */
    public int[] predict(Tensor x) {
        int k = classifier.numClasses();
        double[] logP = perBatch(x, b -> classifier.logProbabilities(b, new double[b.batchSize()]));
        int[] labels = new int[x.batchSize()];
        for (int i = 0; i < labels.length; i++) {
            for (int c = 1; c < k; c++) {
                if (logP[i * k + c] > logP[i * k + labels[i]]) {
                    labels[i] = c;
                }
            }
        }
        return labels;
    }

    /** The fraction of samples of {@code x} whose predicted class is {@code labels[i]}. */
    public double accuracy(Tensor x, int[] labels) {
        return accuracy(predict(x), labels);
    }

    /** The fraction of {@code predicted} classes equal to {@code labels}. */
    public static double accuracy(int[] predicted, int[] labels) {
        int right = 0;
        for (int i = 0; i < predicted.length; i++) {
            right += predicted[i] == labels[i] ? 1 : 0;
        }
        return right / (double) predicted.length;
    }

    /** The penultimate features of every sample, {@code [n][F]}. */
    public double[][] features(Tensor x) {
        int n = x.batchSize();
        double[] flat = perBatch(x, b -> classifier.features(b, new double[b.batchSize()]));
        int f = flat.length / n;
        double[][] rows = new double[n][f];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * f, rows[i], 0, f);
        }
        return rows;
    }

    /** The samples {@code [from, to)} of {@code data} as one tensor of {@code backend}. */
    public static Tensor batch(TrainingData data, int from, int to, TensorBackend backend) {
        int[] sample = data.sampleShape();
        int d = 1;
        for (int s : sample) {
            d *= s;
        }
        float[] values = new float[(to - from) * d];
        for (int i = from; i < to; i++) {
            data.copySample(i, values, (i - from) * d);
        }
        int[] shape = new int[sample.length + 1];
        shape[0] = to - from;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return backend.fromHost(values, shape);
    }

    /** {@code f} on batches of {@code x}, the results concatenated on the host. */
    private static double[] perBatch(Tensor x, Function<Tensor, Tensor> f) {
        int n = x.batchSize();
        double[] out = null;
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            try (TensorScope scope = x.backend().openScope()) {
                double[] part = f.apply(x.slice(from, to)).toDoubleArray();
                if (out == null) {
                    out = new double[part.length / (to - from) * n];
                }
                System.arraycopy(part, 0, out, part.length / (to - from) * from, part.length);
            }
        }
        return out;
    }
}
