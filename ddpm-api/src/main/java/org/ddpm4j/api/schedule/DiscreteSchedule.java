package org.ddpm4j.api.schedule;

/**
 * A schedule of {@code T} discrete training steps {@code t = 0 .. T-1} given by its betas:
 * {@code q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I)}, {@code alpha_t = 1 - beta_t},
 * {@code alphaBar_t = prod_{s=0..t} alpha_s} (diffusers' {@code alphas_cumprod}).
 *
 * <p>Between integer steps, {@link #alphaBar(double)} interpolates the variance-exploding
 * {@code sigma = sqrt((1 - alphaBar) / alphaBar)} linearly (as diffusers' sigma-space schedulers
 * do), so the model can be asked at fractional times.
 */
public interface DiscreteSchedule extends Schedule {

    /** The number of training steps {@code T}. */
    int trainSteps();

    /** {@code beta_t}, the variance added by step {@code t}. */
    double beta(int t);

    /** {@code alphaBar_t} at an integer step (exact table value). */
    double alphaBar(int t);

    /** {@code alpha_t = 1 - beta_t}. */
    default double alpha(int t) {
        return 1 - beta(t);
    }

    /** True when the schedule was rescaled to zero terminal SNR ({@code alphaBar_{T-1} = 0}, Lin et al. 2023). */
    default boolean zeroTerminalSnr() {
        return alphaBar(trainSteps() - 1) == 0;
    }

    /** All betas, a copy. */
    default double[] betas() {
        double[] b = new double[trainSteps()];
        for (int t = 0; t < b.length; t++) {
            b[t] = beta(t);
        }
        return b;
    }

    /** All alphaBars, a copy. */
    default double[] alphaBars() {
        double[] a = new double[trainSteps()];
        for (int t = 0; t < a.length; t++) {
            a[t] = alphaBar(t);
        }
        return a;
    }

    @Override
    default double tMin() {
        return 0;
    }

    @Override
    default double tMax() {
        return trainSteps() - 1;
    }

    /**
     * {@code alphaBar} at a fractional step: sigma interpolated linearly between the neighbouring
     * integer steps, then {@code alphaBar = 1 / (1 + sigma^2)}.
     */
    @Override
    default double alphaBar(double t) {
        if (!(t >= 0 && t <= trainSteps() - 1)) {
            throw new IllegalArgumentException("t = " + t + " outside [0, " + (trainSteps() - 1) + "]");
        }
        int lo = (int) Math.floor(t);
        if (lo == t) {
            return alphaBar(lo);
        }
        double w = t - lo;
        double sLo = sigmaOf(alphaBar(lo));
        double sHi = sigmaOf(alphaBar(lo + 1));
        double s = sLo + w * (sHi - sLo);
        return Double.isInfinite(s) ? 0 : 1 / (1 + s * s);
    }

    @Override
    default double timeAtSigma(double sigma) {
        int last = trainSteps() - 1;
        if (!(sigma > sigmaOf(alphaBar(0)))) {
            return 0;
        }
        if (sigma >= sigmaOf(alphaBar(last))) {
            return last;
        }
        int lo = 0;
        int hi = last;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (sigmaOf(alphaBar(mid)) <= sigma) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double sLo = sigmaOf(alphaBar(lo));
        double sHi = sigmaOf(alphaBar(hi));
        return lo + (sigma - sLo) / (sHi - sLo);
    }

    /**
     * The posterior {@code q(x_{t-1} | x_t, x_0) = N(c0 x_0 + ct x_t, betaTilde_t I)} of Ho et al.
     * eq. 6-7, with {@code alphaBar_{-1} = 1} at {@code t = 0}.
     */
    default Posterior posterior(int t) {
        return Posterior.between(t == 0 ? 1.0 : alphaBar(t - 1), alphaBar(t));
    }

    private static double sigmaOf(double alphaBar) {
        return Math.sqrt((1 - alphaBar) / alphaBar);
    }
}
