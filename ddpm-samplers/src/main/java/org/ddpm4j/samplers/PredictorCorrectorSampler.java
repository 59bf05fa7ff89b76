package org.ddpm4j.samplers;

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
 * per sample, with {@code alpha_i = 1 - beta(t) dt}; then one Euler-Maruyama predictor step of the
 * reverse SDE ({@link ReverseSdeSampler}). Needs a continuous schedule.
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

    @Override
    UpdateRule newRule() {
        return (i, x, step) -> {
            double t = timesteps()[i];
            double alpha = 1 - continuousSchedule().beta(t) * length(i);
            for (int k = 0; k < correctorSteps; k++) {
                Tensor score = score(step, x, t);
                Tensor z = step.noise(x);
                double[] scoreNorm = score.square().sumPerSample();
                double[] noiseNorm = z.square().sumPerSample();
                double[] size = new double[scoreNorm.length];
                double[] spread = new double[scoreNorm.length];
                for (int b = 0; b < size.length; b++) {
                    size[b] = 2 * alpha * snr * snr * noiseNorm[b] / scoreNorm[b];
                    spread[b] = Math.sqrt(2 * size[b]);
                }
                x = x.add(score.mulPerSample(size)).add(z.mulPerSample(spread));
            }
            return eulerMaruyama(i, x, step);
        };
    }
}
