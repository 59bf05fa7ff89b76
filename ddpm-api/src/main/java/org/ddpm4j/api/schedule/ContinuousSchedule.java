package org.ddpm4j.api.schedule;

/**
 * A continuous-time variance-preserving schedule on {@code t in [0, 1]}: the forward SDE of Song et
 * al. (2021) {@code dx = -1/2 beta(t) x dt + sqrt(beta(t)) dw}, whose marginals are
 * {@code q(x_t | x_0) = N(sqrt(alphaBar(t)) x_0, (1 - alphaBar(t)) I)} with
 * {@code alphaBar(t) = exp(-integral_0^t beta(s) ds)}.
 */
public interface ContinuousSchedule extends Schedule {

    /** The instantaneous rate {@code beta(t)}. */
    double beta(double t);

    /** The drift coefficient {@code f(t) = -beta(t) / 2} of {@code f(t) x}. */
    default double drift(double t) {
        return -0.5 * beta(t);
    }

    /** The diffusion coefficient {@code g(t) = sqrt(beta(t))}. */
    default double diffusion(double t) {
        return Math.sqrt(beta(t));
    }

    @Override
    default double tMin() {
        return 0;
    }

    @Override
    default double tMax() {
        return 1;
    }
}
