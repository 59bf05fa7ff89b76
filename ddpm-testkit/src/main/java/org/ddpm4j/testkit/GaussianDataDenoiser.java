package org.ddpm4j.testkit;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The exact denoiser of data whose coordinates are independent {@code N(0, s^2)}:
 * {@code E[eps | x_t] = sigma_t x_t / (alpha_t^2 s^2 + sigma_t^2)}. Its probability-flow ODE has a
 * closed form: {@code x_t / sqrt(alpha_t^2 s^2 + sigma_t^2)} stays constant along every trajectory,
 * so a sampler's end point can be checked exactly ({@link #flow}).
 */
public final class GaussianDataDenoiser implements Denoiser {
    private final Schedule schedule;
    private final double std;

    public GaussianDataDenoiser(Schedule schedule, double std) {
        this.schedule = schedule;
        this.std = std;
    }

    /** The marginal standard deviation {@code sqrt(alpha_t^2 s^2 + sigma_t^2)} of {@code x_t}. */
    public double marginalStd(double t) {
        double alpha = schedule.signal(t);
        double sigma = schedule.noise(t);
        return Math.sqrt(alpha * alpha * std * std + sigma * sigma);
    }

    /** The factor that carries {@code x_from} at time {@code from} to {@code x_to} along the exact probability flow. */
    public double flow(double from, double to) {
        return marginalStd(to) / marginalStd(from);
    }

    @Override
    public Parameterization parameterization() {
        return Parameterization.EPSILON;
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        double[] factors = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            double m = marginalStd(t[i]);
            factors[i] = schedule.noise(t[i]) / (m * m);
        }
        return x.mulPerSample(factors);
    }
}
