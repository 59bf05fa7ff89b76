package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Predictor-corrector sampling, Song et al. (2021) Algorithm 5 (VP): at each time first
 * {@code corrector_steps} steps of Langevin MCMC towards {@code q_t}, with the step size set by the
 * signal-to-noise ratio {@code r} ({@code snr}),
 * <pre>
 *   eps_i = 2 alpha_i (r ||z|| / ||s_theta(x, t)||)^2,    x <- x + eps_i s_theta(x, t) + sqrt(2 eps_i) z,
 * </pre>
 * with {@code alpha_i = 1 - beta(t) dt}; then one Euler-Maruyama predictor step of the reverse SDE
 * ({@link ReverseSdeSampler}). As in Song et al.'s code the norms are averaged over the batch, so
 * the step size is one number per step: a per-sample rule would tie each step to the size of its
 * own noise {@code z}, which biases the chain in low dimension. So the sampler
 * {@linkplain #couplesBatch() couples the batch}: a sample depends on the batch it is computed in.
 * Needs a continuous schedule.
 *
 * <p>Parameters: those of {@link ContinuousTimeSampler}, plus {@code snr} (0.16) and {@code corrector_steps} (1).
 */
public final class PredictorCorrectorSampler extends ContinuousTimeSampler {
    public static final String NAME = "pc";

    private final double snr;
    private final int correctorSteps;

    public PredictorCorrectorSampler(Schedule schedule, Parameters p) {
        super(NAME, schedule, p, 1000);
        this.snr = Checks.positive(p.qualify("snr"), p.getDouble("snr", 0.16));
        this.correctorSteps = Checks.atLeast(p.qualify("corrector_steps"), p.getInt("corrector_steps", 1), 0);
    }

    /** The corrector's step size is shared by the batch (batch-averaged norms). */
    @Override
    public boolean couplesBatch() {
        return true;
    }

    @Override
    protected UpdateRule newRule() {
        return (i, x, step) -> {
            double t = timesteps()[i];
            double alpha = 1 - continuousSchedule().beta(t) * length(i);
            for (int k = 0; k < correctorSteps; k++) {
                Tensor score = score(step, x, t);
                Tensor z = step.noise(x);
                double ratio = snr * meanNorm(z) / meanNorm(score);
                double size = 2 * alpha * ratio * ratio;
                x = x.linear(1, score, size).linear(1, z, Math.sqrt(2 * size));
            }
            return eulerMaruyama(i, x, step);
        };
    }

    /** The mean over the batch of the per-sample Euclidean norms. */
    private static double meanNorm(Tensor x) {
        double sum = 0;
        double[] squares = x.square().sumPerSample();
        for (double s : squares) {
            sum += Math.sqrt(s);
        }
        return sum / squares.length;
    }
}
