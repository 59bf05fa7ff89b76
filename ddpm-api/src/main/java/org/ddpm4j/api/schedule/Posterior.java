package org.ddpm4j.api.schedule;

import org.ddpm4j.api.tensor.Tensor;

/**
 * The Gaussian posterior of the forward process between two noise levels {@code s < t}:
 * {@code q(x_s | x_t, x_0) = N(coefX0 x_0 + coefXt x_t, variance I)}. With
 * {@code alphaBar_{t|s} = alphaBar_t / alphaBar_s} and {@code beta_{t|s} = 1 - alphaBar_{t|s}}:
 * <pre>
 *   coefX0   = sqrt(alphaBar_s) beta_{t|s} / (1 - alphaBar_t)
 *   coefXt   = sqrt(alphaBar_{t|s}) (1 - alphaBar_s) / (1 - alphaBar_t)
 *   variance = (1 - alphaBar_s) / (1 - alphaBar_t) beta_{t|s}           (betaTilde)
 * </pre>
 * For adjacent steps {@code s = t - 1} these are Ho et al.'s eq. 7.
 */
public record Posterior(double coefX0, double coefXt, double variance) {

    /** The posterior from {@code alphaBar_s} (less noisy) and {@code alphaBar_t} (noisier). */
    public static Posterior between(double alphaBarS, double alphaBarT) {
        double betaTS = 1 - alphaBarT / alphaBarS;
        double denominator = 1 - alphaBarT;
        return new Posterior(
                Math.sqrt(alphaBarS) * betaTS / denominator,
                Math.sqrt(alphaBarT / alphaBarS) * (1 - alphaBarS) / denominator,
                (1 - alphaBarS) / denominator * betaTS);
    }

    /** The posterior mean {@code coefX0 x_0 + coefXt x_t}. */
    public Tensor mean(Tensor x0, Tensor xt) {
        return x0.linear(coefX0, xt, coefXt);
    }
}
