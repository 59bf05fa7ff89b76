package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The exact solution of the linear part of the probability-flow ODE from noise level {@code s} to
 * {@code t} (Lu et al. 2022): with {@code h = lambda_t - lambda_s} and a data prediction
 * (DPM-Solver++),
 * <pre>
 *   x_t = (sigma_t / sigma_s) x_s - alpha_t (e^{-h} - 1) D0 - alpha_t (phi_2) D1 - alpha_t (phi_3) D2,
 * </pre>
 * or with a noise prediction (DPM-Solver) {@code x_t = (alpha_t / alpha_s) x_s - sigma_t (e^h - 1) D0 - ...}.
 * Writing {@code hh = -h} (data) or {@code h} (noise), the weights of the Taylor terms
 * {@code D0, D1, D2} of the prediction are {@code phi_1 = e^hh - 1}, {@code phi_2 = phi_1 / hh - 1},
 * {@code phi_3 = phi_2 / hh - 1/2}, all times {@code -alpha_t} (data) or {@code -sigma_t} (noise).
 */
record ExponentialStep(double base, double scale, double hh) {

    static ExponentialStep between(NoiseLevel s, NoiseLevel t, boolean dataPrediction) {
        double h = t.lambda() - s.lambda();
        return dataPrediction
                ? new ExponentialStep(t.sigma() / s.sigma(), t.alpha(), -h)
                : new ExponentialStep(t.alpha() / s.alpha(), t.sigma(), h);
    }

    /** {@code h = lambda_t - lambda_s}. */
    double h() {
        return Math.abs(hh);
    }

    double phi1() {
        return Math.expm1(hh);
    }

    double phi2() {
        return phi1() / hh - 1;
    }

    double phi3() {
        return phi2() / hh - 0.5;
    }

    /** The first-order step (DDIM): {@code base x - scale phi_1 D0}. */
    Tensor first(Tensor x, Tensor d0) {
        return x.linear(base, d0, -scale * phi1());
    }
}
