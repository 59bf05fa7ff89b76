package org.ddpm4j.testkit;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The exact denoiser of data whose coordinates are independent {@code N(0, s^2)}:
 * {@code E[eps | x_t] = sigma_t x_t / (alpha_t^2 s^2 + sigma_t^2)} and
 * {@code E[x_0 | x_t] = alpha_t s^2 x_t / (alpha_t^2 s^2 + sigma_t^2)}, predicted in any
 * {@link Parameterization} from these closed forms (so a flow model's velocity {@code eps - x_0} is
 * exact at pure noise too, where converting an eps prediction would divide by {@code alpha = 0}).
 * Its probability-flow ODE has a closed form: {@code x_t / sqrt(alpha_t^2 s^2 + sigma_t^2)} stays
 * constant along every trajectory, so a sampler's end point can be checked exactly ({@link #flow}).
 */
public final class GaussianDataDenoiser implements Denoiser {
    private final Schedule schedule;
    private final double std;
    private final Parameterization prediction;

    /** The noise-predicting denoiser. */
    public GaussianDataDenoiser(Schedule schedule, double std) {
        this(schedule, std, Parameterization.EPSILON);
    }

    public GaussianDataDenoiser(Schedule schedule, double std, Parameterization prediction) {
        this.schedule = schedule;
        this.std = std;
        this.prediction = prediction;
    }

    /**
     * The denoiser a model trained on {@code schedule} would be: a velocity ({@link Parameterization#FLOW})
     * model on a flow path, as flow matching trains, else a noise-predicting one.
     */
    public static GaussianDataDenoiser trainedOn(Schedule schedule, double std) {
        return new GaussianDataDenoiser(schedule, std, schedule instanceof FlowSchedule ? Parameterization.FLOW : Parameterization.EPSILON);
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
        return prediction;
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        double[] factors = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            double m2 = marginalStd(t[i]) * marginalStd(t[i]);
            double alpha = schedule.signal(t[i]);
            double sigma = schedule.noise(t[i]);
            double eps = sigma / m2;                 // E[eps | x_t] = eps * x_t
            double x0 = alpha * std * std / m2;      // E[x_0 | x_t] = x0 * x_t
            factors[i] = switch (prediction) {
                case EPSILON -> eps;
                case SAMPLE -> x0;
                case V -> alpha * eps - sigma * x0;
                case FLOW -> eps - x0;
                case SCORE -> -eps / sigma;
            };
        }
        return x.mulPerSample(factors);
    }
}
