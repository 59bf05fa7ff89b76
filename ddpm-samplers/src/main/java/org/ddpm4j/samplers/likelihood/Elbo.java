package org.ddpm4j.samplers.likelihood;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.samplers.AnalyticVariance;

/**
 * The variational bound of Ho et al. (2020) eq. 5 on {@code -log p_theta(x_0)}, per sample:
 * <pre>
 *   L = KL(q(x_T | x_0) || N(0, I))                                     prior
 *     + sum_{t=2..T} KL(q(x_{t-1} | x_t, x_0) || p_theta(x_{t-1} | x_t))  diffusion, x_t ~ q(x_t | x_0)
 *     - log p_theta(x_0 | x_1)                                           decoder
 * </pre>
 * with {@code p_theta(x_{t-1} | x_t) = N(mu_theta, sigma_t^2 I)}, {@code mu_theta} the posterior
 * mean at the model's {@code x_0} estimate and {@code sigma_t^2} ({@link Variance}) {@code betaTilde_t}
 * (fixed_small), {@code beta_t} (fixed_large), Analytic-DPM's optimum ({@link org.ddpm4j.samplers.AnalyticVariance})
 * or the model's own variance output, per coordinate (learned: Nichol &amp; Dhariwal 2021; the
 * interpolation {@code v} runs between {@code log betaTilde_t} and {@code log beta_t}, at {@code t = 0}
 * from guided-diffusion's clipped {@code log betaTilde_1}). Each KL term is Gaussian in closed form
 * ({@link Gaussians}); the expectation over
 * {@code x_t} is estimated with one draw per term (noise of term t from {@code GaussianNoise.forStep(seed, t)}).
 * The decoder is Ho et al.'s discretized Gaussian for 8-bit data in [-1, 1] (eq. 13; bins of
 * width 2/255, open at the ends, normal CDF from Commons Math's erfc) or a continuous Gaussian,
 * with variance {@code beta_1} for the fixed variances. Indices are 0-based as elsewhere (Ho's t = 1 is our 0).
 */
public final class Elbo {

    /** The decoder {@code p_theta(x_0 | x_1)}. */
    public enum Decoder {
        /** Ho et al. eq. 13: the probability of the 8-bit bin of each coordinate. */
        DISCRETIZED,
        /** A Gaussian density: a bound on the continuous negative log-density. */
        GAUSSIAN
    }

    /** The reverse variance {@code sigma_t^2}. */
    public enum Variance {
        FIXED_SMALL,
        FIXED_LARGE,
        /** Analytic-DPM: needs {@code E||eps_theta(x_t)||^2 / d} for every training step. */
        ANALYTIC,
        /** The denoiser's variance output ({@link VarianceOutput#LEARNED} or {@link VarianceOutput#LEARNED_RANGE}). */
        LEARNED
    }

    /** The three parts of the bound, in nats per sample. */
    public record Terms(double[] prior, double[] diffusion, double[] decoder) {

        /** The bound in nats per sample. */
        public double[] total() {
            double[] total = new double[prior.length];
            for (int i = 0; i < total.length; i++) {
                total[i] = prior[i] + diffusion[i] + decoder[i];
            }
            return total;
        }

        /** The bound in bits per dimension, per sample. */
        public double[] bitsPerDim(int dimension) {
            double[] total = total();
            for (int i = 0; i < total.length; i++) {
                total[i] /= dimension * Math.log(2);
            }
            return total;
        }
    }

    private final DiscreteSchedule schedule;
    private final Variance variance;
    private final double[] epsMoments;
    private final Decoder decoder;

    /** {@code largeVariance}: reverse variance {@code beta_t} instead of {@code betaTilde_t}. */
    public Elbo(DiscreteSchedule schedule, boolean largeVariance, Decoder decoder) {
        this(schedule, largeVariance ? Variance.FIXED_LARGE : Variance.FIXED_SMALL, null, decoder);
    }

    /**
     * The bound with reverse variance {@code variance}; {@code epsMoments} ({@code Gamma_t} for
     * {@code t = 0..T-1}, see {@link org.ddpm4j.samplers.AnalyticVariance#epsMoments}) only for {@link Variance#ANALYTIC}.
     */
    public Elbo(DiscreteSchedule schedule, Variance variance, double[] epsMoments, Decoder decoder) {
        if ((variance == Variance.ANALYTIC) != (epsMoments != null)) {
            throw new IllegalArgumentException("Gamma_t is given exactly for the analytic variance");
        }
        if (epsMoments != null && epsMoments.length != schedule.trainSteps()) {
            throw new IllegalArgumentException(epsMoments.length + " values of Gamma_t for " + schedule.trainSteps() + " training steps");
        }
        this.schedule = schedule;
        this.variance = variance;
        this.epsMoments = epsMoments == null ? null : epsMoments.clone();
        this.decoder = decoder;
    }

    /** The bound for every sample of {@code x0} (shape [n, ...]). */
    public Terms evaluate(Denoiser denoiser, Tensor x0, Condition condition, long seed) {
        return evaluate(denoiser, x0, condition, seed, done -> { });
    }

    /** As {@link #evaluate(Denoiser, Tensor, Condition, long)}, telling {@code progress} the number of terms done (of T). */
    public Terms evaluate(Denoiser denoiser, Tensor x0, Condition condition, long seed, IntConsumer progress) {
        int n = x0.batchSize();
        int trainSteps = schedule.trainSteps();
        double[] prior = new double[n];
        double[] diffusion = new double[n];
        double[] decoded = new double[n];
        double last = schedule.alphaBar(trainSteps - 1);
        double[] squares = x0.square().sumPerSample();
        for (int i = 0; i < n; i++) {
            // KL(N(sqrt(ab) x0, (1 - ab) I) || N(0, I))
            prior[i] = 0.5 * (last * squares[i] + x0.sampleSize() * (-last - Math.log1p(-last)));
        }
        for (int t = 0; t < trainSteps; t++) {
            try (TensorScope scope = x0.backend().openScope()) {
                Tensor eps = x0.backend().randn(GaussianNoise.forStep(seed, t), x0.shape());
                Tensor xt = schedule.addNoise(x0, eps, (double) t);
                double alpha = schedule.signal((double) t);
                double sigma = schedule.noise((double) t);
                Tensor out = denoiser.predict(xt, t, condition);
                Tensor channels = null;
                if (denoiser.varianceOutput() != VarianceOutput.NONE) {
                    VarianceOutput.Split split = VarianceOutput.split(out);
                    out = split.prediction();
                    channels = split.variance();
                } else if (variance == Variance.LEARNED) {
                    throw new IllegalArgumentException("a learned reverse variance needs a denoiser that outputs its variance; this one predicts none");
                }
                Tensor estimate = denoiser.parameterization().convert(out, Parameterization.SAMPLE, xt, alpha, sigma);
                double[] logVariance = logVariance(t, channels, denoiser.varianceOutput(), x0.sampleSize() * n);
                if (t == 0) {
                    add(decoded, decoderNll(x0, estimate, logVariance));
                } else {
                    add(diffusion, kl(x0, xt, estimate, t, logVariance));
                }
            }
            progress.accept(t + 1);
        }
        return new Terms(prior, diffusion, decoded);
    }

    /**
     * {@code log sigma_t^2} per coordinate: the fixed or analytic value everywhere, or the model's
     * variance channels read as {@code kind} says.
     */
    private double[] logVariance(int t, Tensor channels, VarianceOutput kind, int count) {
        double small = t == 0 ? schedule.posterior(1).variance() : Math.max(schedule.posterior(t).variance(), 1e-20);
        double large = schedule.beta(t);
        double fixed = switch (variance) {
            case FIXED_SMALL -> t == 0 ? large : small; // the decoder of Ho et al. has variance beta_1
            case FIXED_LARGE -> large;
            case ANALYTIC -> AnalyticVariance.optimal(t == 0 ? 1 : schedule.alphaBar(t - 1), schedule.alphaBar(t), epsMoments[t]);
            case LEARNED -> Double.NaN;
        };
        double[] log = new double[count];
        if (variance != Variance.LEARNED) {
            Arrays.fill(log, Math.log(fixed));
            return log;
        }
        double[] v = channels.toDoubleArray();
        for (int k = 0; k < count; k++) {
            if (kind == VarianceOutput.LEARNED) {
                log[k] = Math.log(v[k]);
            } else {
                double frac = (v[k] + 1) / 2;
                log[k] = frac * Math.log(large) + (1 - frac) * Math.log(small);
            }
        }
        return log;
    }

    /** {@code KL(q(x_{t-1} | x_t, x_0) || N(mu_theta, sigma_t^2))} per sample, summed over coordinates. */
    private double[] kl(Tensor x0, Tensor xt, Tensor estimate, int t, double[] logVariance) {
        Posterior posterior = schedule.posterior(t);
        double logPosterior = Math.log(posterior.variance());
        double[] q = posterior.mean(x0, xt).toDoubleArray();
        double[] p = posterior.mean(estimate, xt).toDoubleArray();
        int d = x0.sampleSize();
        double[] kl = new double[x0.batchSize()];
        for (int k = 0; k < q.length; k++) {
            kl[k / d] += Gaussians.normalKl(q[k], logPosterior, p[k], logVariance[k]);
        }
        return kl;
    }

    /** {@code -log p(x_0 | x_1)} per sample, the decoder centred at the model's estimate. */
    private double[] decoderNll(Tensor x0, Tensor mean, double[] logVariance) {
        double[] x = x0.toDoubleArray();
        double[] mu = mean.toDoubleArray();
        int d = x0.sampleSize();
        double[] nll = new double[x0.batchSize()];
        for (int k = 0; k < x.length; k++) {
            double term;
            if (decoder == Decoder.GAUSSIAN) {
                double variance = Math.exp(logVariance[k]);
                term = 0.5 * (Math.log(2 * Math.PI) + logVariance[k] + (x[k] - mu[k]) * (x[k] - mu[k]) / variance);
            } else {
                term = -Gaussians.discretizedLogLikelihood(x[k], mu[k], logVariance[k]);
            }
            nll[k / d] += term;
        }
        return nll;
    }

    private static void add(double[] into, double[] values) {
        for (int i = 0; i < into.length; i++) {
            into[i] += values[i];
        }
    }
}
