package org.ddpm4j.samplers;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * Analytic-DPM (Bao et al. 2022, Theorem 1): the reverse variance of the DDPM step {@code t -> s}
 * that maximises the likelihood among Gaussian reverse steps with the posterior mean, known up to
 * one number per step, {@code Gamma_t = E_{q(x_t)} ||eps_theta(x_t)||^2 / d}:
 * <pre>
 *   sigma*_t^2 = betaTilde_t + beta_{t|s}^2 / (alpha_{t|s} (1 - alphaBar_t)) (1 - Gamma_t)
 * </pre>
 * ({@code alpha_{t|s} = alphaBar_t / alphaBar_s}, {@code beta_{t|s} = 1 - alpha_{t|s}}; the
 * paper's {@code (sqrt(beta_n / alpha_n) - sqrt(betaBar_{n-1} - lambda_n^2))^2} with
 * {@code lambda_n^2 = betaTilde_n} simplifies to the factor above). {@code Gamma_t} is estimated
 * training-free by Monte Carlo from the model's own predictions on noised data samples
 * ({@link #epsMoments}) and clipped to {@code [0, 1]}, which keeps {@code sigma*^2} between
 * Ho et al.'s two bounds' lower end {@code betaTilde_t} and the paper's upper bound.
 */
public final class AnalyticVariance {

    private AnalyticVariance() {
    }

    /** {@code sigma*^2} of the step from {@code alphaBarT} to {@code alphaBarS} given {@code Gamma_t}. */
    public static double optimal(double alphaBarS, double alphaBarT, double gamma) {
        double alpha = alphaBarT / alphaBarS;
        double beta = 1 - alpha;
        double g = Math.min(1, Math.max(0, gamma));
        return Math.max(Posterior.between(alphaBarS, alphaBarT).variance(), 0) + beta * beta / (alpha * (1 - alphaBarT)) * (1 - g);
    }

    /**
     * {@code Gamma_t = mean ||eps_theta(x_t)||^2 / d} at each of {@code timesteps}, with
     * {@code x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps} for the data samples {@code data}
     * ([n, ...]) and fresh noise per timestep (step {@code k} draws {@code GaussianNoise.forStep(seed, k)}).
     * Only the denoiser's prediction is used (a variance output is ignored).
     */
    public static double[] epsMoments(Denoiser denoiser, DiscreteSchedule schedule, double[] timesteps, Tensor data,
                                      Condition condition, long seed) {
        double[] gamma = new double[timesteps.length];
        for (int k = 0; k < timesteps.length; k++) {
            try (TensorScope scope = data.backend().openScope()) {
                double t = timesteps[k];
                Tensor eps = data.backend().randn(GaussianNoise.forStep(seed, k), data.shape());
                Tensor xt = schedule.addNoise(data, eps, t);
                Tensor out = denoiser.predict(xt, t, condition);
                if (denoiser.varianceOutput() != VarianceOutput.NONE) {
                    out = VarianceOutput.split(out).prediction();
                }
                Tensor epsTheta = denoiser.parameterization().convert(out, Parameterization.EPSILON, xt, schedule.signal(t), schedule.noise(t));
                gamma[k] = epsTheta.square().sum() / epsTheta.size();
            }
        }
        return gamma;
    }
}
