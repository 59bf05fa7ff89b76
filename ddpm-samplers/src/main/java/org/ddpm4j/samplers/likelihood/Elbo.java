package org.ddpm4j.samplers.likelihood;

import java.util.function.IntConsumer;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * The variational bound of Ho et al. (2020) eq. 5 on {@code -log p_theta(x_0)}, per sample:
 * <pre>
 *   L = KL(q(x_T | x_0) || N(0, I))                                     prior
 *     + sum_{t=2..T} KL(q(x_{t-1} | x_t, x_0) || p_theta(x_{t-1} | x_t))  diffusion, x_t ~ q(x_t | x_0)
 *     - log p_theta(x_0 | x_1)                                           decoder
 * </pre>
 * with {@code p_theta(x_{t-1} | x_t) = N(mu_theta, sigma_t^2 I)}, {@code mu_theta} the posterior
 * mean at the model's {@code x_0} estimate and {@code sigma_t^2 = betaTilde_t} (fixed_small) or
 * {@code beta_t} (fixed_large). Each KL term is Gaussian in closed form; the expectation over
 * {@code x_t} is estimated with one draw per term (noise of term t from {@code GaussianNoise.forStep(seed, t)}).
 * The decoder is Ho et al.'s discretized Gaussian for 8-bit data in [-1, 1] (eq. 13; bins of
 * width 2/255, open at the ends, normal CDF from Commons Math's erfc) or a continuous Gaussian,
 * both with variance {@code beta_1}. Indices are 0-based as elsewhere (Ho's t = 1 is our 0).
 */
public final class Elbo {

    /** The decoder {@code p_theta(x_0 | x_1)}. */
    public enum Decoder {
        /** Ho et al. eq. 13: the probability of the 8-bit bin of each coordinate. */
        DISCRETIZED,
        /** A Gaussian density: a bound on the continuous negative log-density. */
        GAUSSIAN
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
    private final boolean largeVariance;
    private final Decoder decoder;

    /** {@code largeVariance}: reverse variance {@code beta_t} instead of {@code betaTilde_t}. */
    public Elbo(DiscreteSchedule schedule, boolean largeVariance, Decoder decoder) {
        this.schedule = schedule;
        this.largeVariance = largeVariance;
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
                Tensor estimate = denoiser.parameterization().convert(denoiser.predict(xt, t, condition), Parameterization.SAMPLE, xt, alpha, sigma);
                if (t == 0) {
                    add(decoded, decoderNll(x0, estimate, schedule.beta(0)));
                } else {
                    add(diffusion, kl(x0, xt, estimate, t));
                }
            }
            progress.accept(t + 1);
        }
        return new Terms(prior, diffusion, decoded);
    }

    /** {@code KL(q(x_{t-1} | x_t, x_0) || N(mu_theta, sigma_t^2 I))} per sample. */
    private double[] kl(Tensor x0, Tensor xt, Tensor estimate, int t) {
        Posterior posterior = schedule.posterior(t);
        double variance = largeVariance ? schedule.beta(t) : posterior.variance();
        double[] squares = posterior.mean(x0, xt).sub(posterior.mean(estimate, xt)).square().sumPerSample();
        double perDimension = 0.5 * (Math.log(variance / posterior.variance()) + posterior.variance() / variance - 1);
        double[] kl = new double[squares.length];
        for (int i = 0; i < kl.length; i++) {
            kl[i] = x0.sampleSize() * perDimension + 0.5 * squares[i] / variance;
        }
        return kl;
    }

    /** {@code -log p(x_0 | x_1)} per sample, the decoder centred at the model's estimate with variance {@code variance}. */
    private double[] decoderNll(Tensor x0, Tensor mean, double variance) {
        double[] x = x0.toDoubleArray();
        double[] mu = mean.toDoubleArray();
        int d = x0.sampleSize();
        double sd = Math.sqrt(variance);
        double[] nll = new double[x0.batchSize()];
        for (int k = 0; k < x.length; k++) {
            double term;
            if (decoder == Decoder.GAUSSIAN) {
                double z = (x[k] - mu[k]) / sd;
                term = 0.5 * (Math.log(2 * Math.PI * variance) + z * z);
            } else {
                term = -Gaussians.discretizedLogLikelihood(x[k], mu[k], Math.log(variance));
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
