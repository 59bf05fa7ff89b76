package org.ddpm4j.backend.java.analytic;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.tensor.GaussianNoise;

/**
 * An isotropic Gaussian mixture {@code p(x_0) = sum_k w_k N(x_0; mu_k, s_k^2 I)} in R^d. Under the
 * forward process its marginal at a time with signal scale {@code alpha} and noise scale
 * {@code sigma} is again a mixture: {@code q(x_t) = sum_k w_k N(x_t; alpha mu_k, v_k I)} with
 * {@code v_k = alpha^2 s_k^2 + sigma^2}. That closed form gives exact denoisers, scores, class
 * posteriors and densities to test everything else against. A finite data set is the mixture of
 * its points with {@code s_k = 0} and equal weights.
 */
public final class GaussianMixture {
    private final double[] weights;
    private final double[][] means;
    private final double[] stds;

    public GaussianMixture(double[] weights, double[][] means, double[] stds) {
        int k = weights.length;
        if (k == 0) {
            throw new InvalidParameterException("weights", "[]", "a mixture needs at least one component");
        }
        if (means.length != k || stds.length != k) {
            throw new InvalidParameterException("means", means.length + " means and " + stds.length + " stds",
                    "need one mean and one std per weight (" + k + ")");
        }
        double total = 0;
        for (int i = 0; i < k; i++) {
            if (!(weights[i] > 0) || Double.isInfinite(weights[i])) {
                throw new InvalidParameterException("weights[" + i + "]", weights[i], "must be a finite number > 0");
            }
            if (!(stds[i] >= 0) || Double.isInfinite(stds[i])) {
                throw new InvalidParameterException("stds[" + i + "]", stds[i], "must be a finite number >= 0");
            }
            if (means[i].length != means[0].length || means[i].length == 0) {
                throw new InvalidParameterException("means[" + i + "]", means[i].length + " coordinates",
                        "every mean needs the same dimension d >= 1 as means[0] (" + means[0].length + ")");
            }
            for (double m : means[i]) {
                if (!Double.isFinite(m)) {
                    throw new InvalidParameterException("means[" + i + "]", m, "must be finite");
                }
            }
            total += weights[i];
        }
        this.weights = new double[k];
        this.means = new double[k][];
        for (int i = 0; i < k; i++) {
            this.weights[i] = weights[i] / total;
            this.means[i] = means[i].clone();
        }
        this.stds = stds.clone();
    }

    /**
     * {@code {"weights": [...], "means": [[...], ...], "stds": [...]}}. The weights of a configured
     * mixture must sum to 1 (within {@value #WEIGHT_SUM_TOLERANCE}): weights summing to 2 are more
     * likely a typo than a wish to have them normalised silently.
     */
    public static GaussianMixture fromParameters(Parameters p) {
        double[] weights = p.requireDoubleArray("weights");
        GaussianMixture mixture = new GaussianMixture(weights, p.requireDoubleMatrix("means"), p.requireDoubleArray("stds"));
        double sum = java.util.Arrays.stream(weights).sum();
        if (!(Math.abs(sum - 1) <= WEIGHT_SUM_TOLERANCE)) {
            throw new InvalidParameterException(p.qualify("weights"), weights, "must sum to 1, they sum to " + sum);
        }
        return mixture;
    }

    /** How far from 1 the weights of {@link #fromParameters} may sum. */
    public static final double WEIGHT_SUM_TOLERANCE = 1e-6;

    /** The empirical distribution of a finite data set: equal weights, zero widths. */
    public static GaussianMixture ofPoints(double[][] points) {
        double[] w = new double[points.length];
        java.util.Arrays.fill(w, 1.0);
        return new GaussianMixture(w, points, new double[points.length]);
    }

    public int components() {
        return weights.length;
    }

    public int dimension() {
        return means[0].length;
    }

    public double weight(int k) {
        return weights[k];
    }

    public double[] mean(int k) {
        return means[k].clone();
    }

    public double std(int k) {
        return stds[k];
    }

    /** The same means and widths with weights restricted to component {@code k} (a class). */
    public GaussianMixture component(int k) {
        return new GaussianMixture(new double[] {1}, new double[][] {means[k]}, new double[] {stds[k]});
    }

    /**
     * The distribution of the other coordinates given coordinates {@code known} equal to
     * {@code values}: again an isotropic mixture, of the components' other coordinates, with each
     * weight multiplied by the component's density at the known values (Bayes). The exact answer
     * that inpainting should reproduce.
     */
    public GaussianMixture conditional(int[] known, double[] values) {
        int d = dimension();
        if (known.length != values.length || known.length == 0 || known.length >= d) {
            throw new InvalidParameterException("known", java.util.Arrays.toString(known), "needs 1 to " + (d - 1)
                    + " distinct coordinates of the " + d + " and one value each (" + values.length + " given)");
        }
        boolean[] isKnown = new boolean[d];
        for (int j : known) {
            if (j < 0 || j >= d || isKnown[j]) {
                throw new InvalidParameterException("known", java.util.Arrays.toString(known), "must be distinct coordinates in [0, " + (d - 1) + "]");
            }
            isKnown[j] = true;
        }
        int k = weights.length;
        double[] logs = new double[k];
        double[][] rest = new double[k][d - known.length];
        for (int c = 0; c < k; c++) {
            if (!(stds[c] > 0)) {
                throw new InvalidParameterException("stds[" + c + "]", stds[c], "must be > 0 to condition on coordinates");
            }
            double v = stds[c] * stds[c];
            logs[c] = Math.log(weights[c]);
            for (int i = 0; i < known.length; i++) {
                double r = values[i] - means[c][known[i]];
                logs[c] -= 0.5 * Math.log(2 * Math.PI * v) + r * r / (2 * v);
            }
            for (int j = 0, u = 0; j < d; j++) {
                if (!isKnown[j]) {
                    rest[c][u++] = means[c][j];
                }
            }
        }
        double norm = logSumExp(logs);
        double[] w = new double[k];
        for (int c = 0; c < k; c++) {
            w[c] = Math.max(Math.exp(logs[c] - norm), Double.MIN_NORMAL);
        }
        return new GaussianMixture(w, rest, stds);
    }

    /**
     * For a point {@code x} at noise scales ({@code alpha}, {@code sigma}): the log of each
     * component's weighted density {@code log(w_k N(x; alpha mu_k, v_k I))}, into {@code out}.
     */
    void componentLogDensities(double[] x, int offset, double alpha, double sigma, double[] out) {
        int d = dimension();
        for (int k = 0; k < weights.length; k++) {
            double v = variance(k, alpha, sigma);
            double sq = 0;
            for (int j = 0; j < d; j++) {
                double r = x[offset + j] - alpha * means[k][j];
                sq += r * r;
            }
            out[k] = Math.log(weights[k]) - 0.5 * d * Math.log(2 * Math.PI * v) - sq / (2 * v);
        }
    }

    /** {@code v_k = alpha^2 s_k^2 + sigma^2}, the per-coordinate variance of component k in x_t. */
    double variance(int k, double alpha, double sigma) {
        return alpha * alpha * stds[k] * stds[k] + sigma * sigma;
    }

    double meanCoordinate(int k, int j) {
        return means[k][j];
    }

    /** {@code log q(x_t)} of the noised mixture; at {@code alpha = 1, sigma = 0} the data density. */
    public double logDensity(double[] x, double alpha, double sigma) {
        double[] logs = new double[weights.length];
        componentLogDensities(x, 0, alpha, sigma, logs);
        return logSumExp(logs);
    }

    /** {@code log p(x_0)}. */
    public double logDensity(double[] x) {
        return logDensity(x, 1, 0);
    }

    /** {@code log p(k | x_0)}: the posterior of component {@code k} (a class) at a data point (Bayes). */
    public double logPosterior(double[] x, int k) {
        double[] logs = new double[weights.length];
        componentLogDensities(x, 0, 1, 0, logs);
        return logs[k] - logSumExp(logs);
    }

    /** {@code n} exact samples, drawn from {@code noise}. */
    public double[][] sample(int n, GaussianNoise noise) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            int k = pick(noise.nextUniform());
            out[i] = new double[dimension()];
            for (int j = 0; j < dimension(); j++) {
                out[i][j] = means[k][j] + stds[k] * noise.next();
            }
        }
        return out;
    }

    private int pick(double u) {
        double c = 0;
        for (int k = 0; k < weights.length - 1; k++) {
            c += weights[k];
            if (u < c) {
                return k;
            }
        }
        return weights.length - 1;
    }

    static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - max);
        }
        return max + Math.log(s);
    }
}
