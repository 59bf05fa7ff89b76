package org.ddpm4j.api.schedule;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.tensor.Tensor;

/**
 * A variance-preserving noise schedule: the forward process
 * {@code q(x_t | x_0) = N(sqrt(alphaBar_t) x_0, (1 - alphaBar_t) I)} as a function of the model's time
 * {@code t}. Computed in double precision.
 *
 * <p>Time is what the denoiser receives: for a {@link DiscreteSchedule} the training step index
 * {@code t = 0 .. T-1} (diffusers' indexing; fractional values interpolate), for a
 * {@link ContinuousSchedule} {@code t in [0, 1]}. All noise-level quantities derive from
 * {@link #alphaBar(double)}:
 * <ul>
 *   <li>signal scale {@code alpha_t = sqrt(alphaBar_t)} and noise scale {@code sigma_t = sqrt(1 - alphaBar_t)}
 *       (the notation of DPM-Solver and of Kingma et al.'s VDM);</li>
 *   <li>the variance-exploding noise level {@code sigma = sqrt((1 - alphaBar) / alphaBar)}
 *       (k-diffusion's and diffusers' {@code sigmas}), with {@code x_t / alpha_t = x_0 + sigma eps};</li>
 *   <li>the signal-to-noise ratio {@code SNR = alphaBar / (1 - alphaBar) = 1 / sigma^2} and
 *       {@code lambda = log SNR}.</li>
 * </ul>
 */
public interface Schedule {

    /** The plugin name that builds this schedule, e.g. {@code cosine}. */
    String name();

    /** The parameters that rebuild this schedule through its plugin (configuration round trip). */
    Parameters parameters();

    /** The smallest model time. */
    double tMin();

    /** The largest model time (the start of sampling). */
    double tMax();

    /** {@code alphaBar_t = prod_{s <= t} (1 - beta_s)}: the fraction of signal variance left at time t. */
    double alphaBar(double t);

    /**
     * The time at which {@link #sigma(double)} equals {@code sigma}: the inverse of the noise level,
     * used by samplers that step in sigma or log-SNR. Clamped to {@code [tMin, tMax]}.
     */
    double timeAtSigma(double sigma);

    /** Signal scale {@code alpha_t = sqrt(alphaBar_t)}. */
    default double signal(double t) {
        return Math.sqrt(alphaBar(t));
    }

    /** Noise scale {@code sigma_t = sqrt(1 - alphaBar_t)}: the standard deviation of the noise in x_t. */
    default double noise(double t) {
        return Math.sqrt(1 - alphaBar(t));
    }

    /** Variance-exploding noise level {@code sqrt((1 - alphaBar_t) / alphaBar_t)}. */
    default double sigma(double t) {
        double ab = alphaBar(t);
        return Math.sqrt((1 - ab) / ab);
    }

    /** Signal-to-noise ratio {@code alphaBar_t / (1 - alphaBar_t)}. */
    default double snr(double t) {
        double ab = alphaBar(t);
        return ab / (1 - ab);
    }

    /** Log signal-to-noise ratio {@code lambda_t = log(alphaBar_t / (1 - alphaBar_t))}. */
    default double logSnr(double t) {
        double ab = alphaBar(t);
        return Math.log(ab) - Math.log1p(-ab);
    }

    /**
     * The forward process in one jump (Ho et al. eq. 4):
     * {@code x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps}, with time {@code t[i]} for sample i.
     */
    default Tensor addNoise(Tensor x0, Tensor eps, double[] t) {
        if (t.length != x0.batchSize()) {
            throw new IllegalArgumentException("t has " + t.length + " entries for a batch of " + x0.batchSize());
        }
        double[] a = new double[t.length];
        double[] s = new double[t.length];
        boolean uniform = true;
        for (int i = 0; i < t.length; i++) {
            a[i] = signal(t[i]);
            s[i] = noise(t[i]);
            uniform &= t[i] == t[0];
        }
        if (uniform) {
            return x0.linear(a[0], eps, s[0]);
        }
        return x0.mulPerSample(a).add(eps.mulPerSample(s));
    }

    /** The forward process for a whole batch at one time {@code t}. */
    default Tensor addNoise(Tensor x0, Tensor eps, double t) {
        return x0.linear(signal(t), eps, noise(t));
    }

    /** The posterior {@code q(x_s | x_t, x_0)} between two times {@code s < t}. */
    default Posterior posterior(double s, double t) {
        return Posterior.between(alphaBar(s), alphaBar(t));
    }
}
