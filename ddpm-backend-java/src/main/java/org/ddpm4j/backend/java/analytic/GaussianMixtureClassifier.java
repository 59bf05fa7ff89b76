package org.ddpm4j.backend.java.analytic;

import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The exact noisy-data classifier of a Gaussian mixture whose components are the classes:
 * {@code p(y | x_t) = r_y(x_t)}, the posterior responsibility of component y under the noised
 * mixture {@code q(x_t) = sum_k w_k N(alpha mu_k, v_k I)}. Its input gradient is
 * {@code grad log p(y | x_t) = -(x_t - alpha mu_y) / v_y + sum_k r_k (x_t - alpha mu_k) / v_k},
 * so that {@code eps(x_t) - sigma_t grad log p(y | x_t)} is exactly the conditional denoiser of
 * component y: classifier guidance with scale 1 turns the unconditional mixture denoiser into the
 * conditional one. Computed on the host in double precision.
 */
public final class GaussianMixtureClassifier implements Classifier {
    private final GaussianMixture mixture;
    private final Schedule schedule;

    public GaussianMixtureClassifier(GaussianMixture mixture, Schedule schedule) {
        this.mixture = mixture;
        this.schedule = schedule;
    }

    @Override
    public int numClasses() {
        return mixture.components();
    }

    @Override
    public Tensor logProbabilities(Tensor x, double[] t) {
        int n = check(x, t);
        int k = mixture.components();
        int d = mixture.dimension();
        double[] xs = x.toDoubleArray();
        double[] out = new double[n * k];
        double[] logs = new double[k];
        for (int i = 0; i < n; i++) {
            mixture.componentLogDensities(xs, i * d, schedule.signal(t[i]), schedule.noise(t[i]), logs);
            double norm = GaussianMixture.logSumExp(logs);
            for (int c = 0; c < k; c++) {
                out[i * k + c] = logs[c] - norm;
            }
        }
        return x.backend().fromHost(out, n, k);
    }

    @Override
    public Tensor logProbabilityGradient(Tensor x, double[] t, int[] labels) {
        int n = check(x, t);
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for a batch of " + n);
        }
        int k = mixture.components();
        int d = mixture.dimension();
        double[] xs = x.toDoubleArray();
        double[] grad = new double[xs.length];
        double[] logs = new double[k];
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= k) {
                throw new IllegalArgumentException("class " + y + " out of range [0, " + (k - 1) + "]");
            }
            double alpha = schedule.signal(t[i]);
            double sigma = schedule.noise(t[i]);
            mixture.componentLogDensities(xs, i * d, alpha, sigma, logs);
            double norm = GaussianMixture.logSumExp(logs);
            for (int c = 0; c < k; c++) {
                double weight = Math.exp(logs[c] - norm) - (c == y ? 1 : 0);
                double v = mixture.variance(c, alpha, sigma);
                for (int j = 0; j < d; j++) {
                    grad[i * d + j] += weight * (xs[i * d + j] - alpha * mixture.meanCoordinate(c, j)) / v;
                }
            }
        }
        return x.backend().fromHost(grad, x.shape());
    }

    private int check(Tensor x, double[] t) {
        if (x.sampleSize() != mixture.dimension()) {
            throw new IllegalArgumentException("x has " + x.sampleSize() + " values per sample; the mixture is "
                    + mixture.dimension() + "-dimensional");
        }
        if (t.length != x.batchSize()) {
            throw new IllegalArgumentException(t.length + " times for a batch of " + x.batchSize());
        }
        return x.batchSize();
    }
}
