package org.ddpm4j.api.path;

import org.ddpm4j.api.schedule.Schedule;

/**
 * A {@link GaussianPath} seen as a {@link Schedule}: the variance-preserving process of the same
 * signal-to-noise ratio, {@code alphaBar = a^2 / (a^2 + b^2)}, on the model time
 * {@code t = s * timeScale()} of path time {@code s} (diffusers' flow models take
 * {@code timestep = sigma * num_train_timesteps}). Every sampler of the variance-preserving
 * family thus runs on a flow model through the exact conversions of {@link org.ddpm4j.api.model.Parameterization};
 * flow-matching samplers step the path's own point {@code x_path = scale(s) x_vp} in {@code s}.
 */
public interface FlowSchedule extends Schedule {

    /** The path. */
    GaussianPath path();

    /** Model time per unit of path time (diffusers' {@code num_train_timesteps}). */
    double timeScale();

    /** The path time {@code s = t / timeScale()} of model time {@code t}. */
    default double pathTime(double t) {
        return t / timeScale();
    }

    /** The model time of path time {@code s}. */
    default double modelTime(double s) {
        return s * timeScale();
    }

    @Override
    default double tMin() {
        return 0;
    }

    @Override
    default double tMax() {
        return timeScale();
    }

    @Override
    default double alphaBar(double t) {
        double s = pathTime(t);
        double a = path().signal(s);
        double b = path().noise(s);
        return a * a / (a * a + b * b);
    }

    @Override
    default double timeAtSigma(double sigma) {
        return modelTime(path().timeAtSigma(sigma));
    }
}
