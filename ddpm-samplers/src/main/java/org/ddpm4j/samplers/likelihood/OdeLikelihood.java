package org.ddpm4j.samplers.likelihood;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.samplers.ProbabilityFlowOde;

/**
 * The exact log-likelihood of a diffusion model through its probability-flow ODE (Song et al.
 * 2021, section D.2; the instantaneous change of variables of Chen et al. 2018). In the ODE's
 * variables {@code y = x / alpha}, {@code u = log sigma} ({@link ProbabilityFlowOde}), with
 * {@code dy/du = v(y, u)}:
 * <pre>
 *   log p_0(x) = log N(alpha_1 y_1; 0, I) + d log(alpha_1 / alpha_0) + integral_{u_0}^{u_1} div_y v(y(u), u) du
 * </pre>
 * integrated from the data ({@code x} at time {@code t_0 = tMin}) to {@code tMax}, where the prior
 * {@code N(0, I)} is assumed. The divergence is exact (the trace over all {@code d} coordinate
 * directions; low dimension) or Hutchinson's estimate {@code E[z^T (dv/dy) z]} with Rademacher
 * probes drawn once from a seed (high dimension). The denoiser API has no gradients, so each
 * Jacobian-vector product is a central difference with step {@code 1e-4 sqrt(1 + sigma^2)}, the
 * scale of {@code y} (error about 1e-8 relative).
 */
public final class OdeLikelihood {

    /** How {@code div_y v} is computed. */
    public enum Divergence {
        /** The exact trace, d Jacobian-vector products per evaluation. */
        EXACT,
        /** Hutchinson's unbiased estimate with fixed Rademacher probes. */
        HUTCHINSON
    }

    private static final double RELATIVE_STEP = 1e-4;

    private final ProbabilityFlowOde ode;
    private final Divergence divergence;
    private final int probes;
    private final long seed;

    /** {@code probes} and {@code seed} are used by {@link Divergence#HUTCHINSON} only. */
    public OdeLikelihood(ProbabilityFlowOde ode, Divergence divergence, int probes, long seed) {
        this.ode = ode;
        this.divergence = divergence;
        this.probes = Checks.atLeast("probes", probes, 1);
        this.seed = seed;
    }

    /** {@code log p(x)} in nats for every sample of {@code x} (variance-preserving, at the schedule's {@code tMin}). */
    public double[] logLikelihood(Denoiser denoiser, Tensor x, Condition condition) {
        double from = ode.schedule().tMin();
        double to = ode.schedule().tMax();
        int n = x.batchSize();
        int d = x.sampleSize();
        double alpha0 = ode.schedule().signal(from);
        double alpha1 = ode.schedule().signal(to);
        double[] state = new double[n * d + n];
        double[] y0 = x.toDoubleArray();
        for (int k = 0; k < n * d; k++) {
            state[k] = y0[k] / alpha0;
        }
        double[][] directions = directions(n, d);
        ProbabilityFlowOde.Field field = ode.field(denoiser, condition);
        TensorBackend backend = x.backend();
        double u0 = ode.logSigma(from);
        double u1 = ode.logSigma(to);
        ode.integrate(backend, state, u0, u1, (u, values, derivatives) -> evaluate(field, backend, x.shape(), u, values, derivatives, directions));
        double[] logp = new double[n];
        for (int i = 0; i < n; i++) {
            double prior = 0;
            for (int j = 0; j < d; j++) {
                double z = alpha1 * state[i * d + j];
                prior += -0.5 * z * z - 0.5 * Math.log(2 * Math.PI);
            }
            logp[i] = prior + d * Math.log(alpha1 / alpha0) + state[n * d + i];
        }
        return logp;
    }

    /** {@code -log p(x) / (d log 2)}: bits per dimension, per sample. */
    public double[] bitsPerDim(Denoiser denoiser, Tensor x, Condition condition) {
        double[] logp = logLikelihood(denoiser, x, condition);
        for (int i = 0; i < logp.length; i++) {
            logp[i] = -logp[i] / (x.sampleSize() * Math.log(2));
        }
        return logp;
    }

    /** The probe directions: the d unit vectors (exact) or {@code probes} Rademacher vectors per sample. */
    private double[][] directions(int n, int d) {
        if (divergence == Divergence.EXACT) {
            double[][] e = new double[d][n * d];
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < n; i++) {
                    e[j][i * d + j] = 1;
                }
            }
            return e;
        }
        GaussianNoise random = new GaussianNoise(seed);
        double[][] z = new double[probes][n * d];
        for (int k = 0; k < probes; k++) {
            for (int m = 0; m < n * d; m++) {
                z[k][m] = random.nextUniform() < 0.5 ? -1 : 1;
            }
        }
        return z;
    }

    /**
     * One batched call: {@code v} at y and at {@code y +- h z} for every direction z; the
     * derivatives of y are v, that of the log-density accumulator {@code sum_z z . (v(y + h z) - v(y - h z)) / 2h}.
     */
    private void evaluate(ProbabilityFlowOde.Field field, TensorBackend backend, int[] shape, double u, double[] values,
                          double[] derivatives, double[][] directions) {
        int n = shape[0];
        int d = (values.length - n) / n;
        int m = n * d;
        double h = RELATIVE_STEP * Math.sqrt(1 + Math.exp(2 * u));
        double[] batch = new double[m * (1 + 2 * directions.length)];
        System.arraycopy(values, 0, batch, 0, m);
        for (int k = 0; k < directions.length; k++) {
            for (int q = 0; q < m; q++) {
                batch[(1 + 2 * k) * m + q] = values[q] + h * directions[k][q];
                batch[(2 + 2 * k) * m + q] = values[q] - h * directions[k][q];
            }
        }
        int[] batchShape = shape.clone();
        batchShape[0] = n * (1 + 2 * directions.length);
        double[] v = field.at(backend.fromHost(batch, batchShape), u).toDoubleArray();
        System.arraycopy(v, 0, derivatives, 0, m);
        double scale = divergence == Divergence.EXACT ? 1 : 1.0 / directions.length;
        for (int i = 0; i < n; i++) {
            double trace = 0;
            for (int k = 0; k < directions.length; k++) {
                for (int j = 0; j < d; j++) {
                    int q = i * d + j;
                    trace += directions[k][q] * (v[(1 + 2 * k) * m + q] - v[(2 + 2 * k) * m + q]) / (2 * h);
                }
            }
            derivatives[m + i] = scale * trace;
        }
    }
}
