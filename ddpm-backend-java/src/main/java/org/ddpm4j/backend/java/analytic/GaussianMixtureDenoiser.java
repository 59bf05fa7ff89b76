package org.ddpm4j.backend.java.analytic;

import java.util.Optional;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The exact minimiser of the denoising objective for Gaussian-mixture data: the posterior mean
 * noise {@code E[eps | x_t] = -sigma_t grad log q(x_t) = sigma_t sum_k r_k(x_t) (x_t - alpha_t mu_k) / v_k}
 * with responsibilities {@code r_k(x_t)} proportional to {@code w_k N(x_t; alpha_t mu_k, v_k I)}.
 * For a finite data set ({@link GaussianMixture#ofPoints}) this is the ideal denoiser of the
 * lecture notes: {@code E[x_0 | x_t]} is the softmax-weighted average of the data points.
 *
 * <p>When {@code conditional}, the components are classes: label {@code y} restricts the mixture to
 * component y (the exact conditional denoiser) and {@link Condition#NULL_CLASS} (or no condition)
 * uses the whole mixture (the unconditional one), as classifier-free guidance expects.
 *
 * <p>Time enters only through {@code alphaBar(t)}; at fractional discrete times the schedule
 * interpolates sigma linearly. Computed on the host in double precision.
 *
 * <p>It answers in any {@link Parameterization} ({@link #as}) from the exact {@code E[eps | x_t]}
 * and {@code E[x_0 | x_t]} together, not by converting one into the other: so it is exact also where a
 * conversion divides by zero, e.g. the flow velocity {@code eps - x_0} at pure noise
 * ({@code alpha = 0}), where flow-matching samplers start.
 */
public final class GaussianMixtureDenoiser implements Denoiser {
    private final GaussianMixture mixture;
    private final Schedule schedule;
    private final boolean conditional;
    private final Parameterization output;

    public GaussianMixtureDenoiser(GaussianMixture mixture, Schedule schedule, boolean conditional) {
        this(mixture, schedule, conditional, Parameterization.EPSILON);
    }

    private GaussianMixtureDenoiser(GaussianMixture mixture, Schedule schedule, boolean conditional, Parameterization output) {
        this.mixture = mixture;
        this.schedule = schedule;
        this.conditional = conditional;
        this.output = output;
    }

    public GaussianMixture mixture() {
        return mixture;
    }

    @Override
    public Parameterization parameterization() {
        return output;
    }

    /** On its own schedule, the exact prediction of kind {@code target}; otherwise converted as any denoiser. */
    @Override
    public Denoiser as(Parameterization target, Schedule on) {
        if (on != schedule) {
            return Denoiser.super.as(target, on);
        }
        return new GaussianMixtureDenoiser(mixture, schedule, conditional, target);
    }

    @Override
    public int numClasses() {
        return conditional ? mixture.components() : 0;
    }

    @Override
    public Optional<int[]> sampleShape() {
        return Optional.of(new int[] {mixture.dimension()});
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        int n = x.batchSize();
        int d = mixture.dimension();
        if (x.sampleSize() != d) {
            throw new IllegalArgumentException("x has " + x.sampleSize() + " values per sample; the mixture is " + d + "-dimensional");
        }
        if (t.length != n) {
            throw new IllegalArgumentException(t.length + " times for a batch of " + n);
        }
        condition.checkBatch(n);
        int[] labels = condition.labels();
        if (!condition.isNone() && !conditional) {
            for (int label : labels) {
                if (label != Condition.NULL_CLASS) {
                    throw new IllegalArgumentException("this mixture denoiser is unconditional; got class " + label);
                }
            }
        }
        double[] xs = x.toDoubleArray();
        double[] eps = new double[xs.length];
        double[] x0 = new double[xs.length];
        int k = mixture.components();
        double[] logs = new double[k];
        for (int i = 0; i < n; i++) {
            double alpha = schedule.signal(t[i]);
            double sigma = schedule.noise(t[i]);
            if (sigma == 0) {
                for (int j = 0; j < d; j++) {
                    x0[i * d + j] = xs[i * d + j] / alpha; // no noise in x_t: the noise estimate is 0
                }
                continue;
            }
            int label = labels.length == 0 ? Condition.NULL_CLASS : labels[i];
            if (label >= k) {
                throw new IllegalArgumentException("class " + label + " out of range [0, " + (k - 1) + "]");
            }
            int offset = i * d;
            if (label == Condition.NULL_CLASS) {
                mixture.componentLogDensities(xs, offset, alpha, sigma, logs);
                double norm = GaussianMixture.logSumExp(logs);
                for (int c = 0; c < k; c++) {
                    accumulate(xs, eps, x0, offset, c, Math.exp(logs[c] - norm), alpha, sigma);
                }
            } else {
                accumulate(xs, eps, x0, offset, label, 1.0, alpha, sigma);
            }
        }
        return x.backend().fromHost(output(eps, x0, t, d), x.shape());
    }

    /** The prediction of kind {@link #output} from the exact eps and x_0 (in place in {@code eps}). */
    private double[] output(double[] eps, double[] x0, double[] t, int d) {
        if (output == Parameterization.EPSILON) {
            return eps;
        }
        if (output == Parameterization.SAMPLE) {
            return x0;
        }
        for (int i = 0; i < t.length; i++) {
            double alpha = schedule.signal(t[i]);
            double sigma = schedule.noise(t[i]);
            for (int j = i * d; j < (i + 1) * d; j++) {
                eps[j] = switch (output) {
                    case V -> alpha * eps[j] - sigma * x0[j];
                    case SCORE -> -eps[j] / sigma;
                    case FLOW -> eps[j] - x0[j];
                    case EPSILON, SAMPLE -> throw new AssertionError(output);
                };
            }
        }
        return eps;
    }

    // Component c: E[eps | x_t, c] = sigma (x - alpha mu) / v, E[x_0 | x_t, c] = mu + alpha s^2 (x - alpha mu) / v.
    private void accumulate(double[] xs, double[] eps, double[] x0, int offset, int c, double responsibility, double alpha, double sigma) {
        if (responsibility == 0) {
            return;
        }
        double v = mixture.variance(c, alpha, sigma);
        double noiseScale = responsibility * sigma / v;
        double std = mixture.std(c);
        double signalScale = responsibility * alpha * std * std / v;
        for (int j = 0; j < mixture.dimension(); j++) {
            double mean = mixture.meanCoordinate(c, j);
            double r = xs[offset + j] - alpha * mean;
            eps[offset + j] += noiseScale * r;
            x0[offset + j] += responsibility * mean + signalScale * r;
        }
    }
}
