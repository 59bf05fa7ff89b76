package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.path.GaussianPath;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Flow-matching samplers: they integrate the flow ODE {@code dx/ds = u(x, s)} of a
 * {@link FlowSchedule}'s path in its own coordinates {@code x_s = a(s) x_0 + b(s) eps}, from noise
 * at {@code s = 1} to data, over the levels of {@link FlowSigmas}. The model is asked at the
 * variance-preserving point {@code x_s / scale(s)} and model time {@code s * num_train_timesteps},
 * and its prediction, whatever its kind, is read as the path's velocity
 * ({@link GaussianPath#toVelocity}); for the linear path and a flow model that is its output itself.
 * <ul>
 *   <li>{@link Method#EULER}: {@code x_{i+1} = x_i + (s_{i+1} - s_i) u(x_i, s_i)} (diffusers'
 *       FlowMatchEulerDiscreteScheduler); with {@code stochastic_sampling}, instead
 *       {@code x_{i+1} = (1 - s_{i+1}) x_0 + s_{i+1} z}, {@code x_0 = x_i - s_i u}, z fresh noise.</li>
 *   <li>{@link Method#HEUN}: the trapezoidal corrector on the Euler step, the last step (to 0) Euler
 *       (FlowMatchHeunDiscreteScheduler; {@code 2n - 1} evaluations).</li>
 *   <li>{@link Method#MIDPOINT}: the explicit midpoint rule ({@code 2n} evaluations).</li>
 * </ul>
 * Euler is first order, Heun and midpoint second order in the step (measured in FlowSamplerOrderTest).
 * {@code thresholding} ({@code dynamic_thresholding_ratio}, {@code sample_max_value}) applies Imagen's
 * dynamic thresholding to the x_0 each velocity implies ({@link PredictionClipping}), as in DDIM.
 */
public final class FlowMatchSampler extends BaseSampler {

    /** The update of one step. */
    public enum Method {
        EULER("flow-euler"), HEUN("flow-heun"), MIDPOINT("flow-midpoint");

        private final String samplerName;

        Method(String samplerName) {
            this.samplerName = samplerName;
        }

        public String samplerName() {
            return samplerName;
        }
    }

    private final FlowSchedule flow;
    private final Method method;
    private final double[] sigmas;
    private final boolean stochastic;
    private final PredictionClipping clipping;

    public FlowMatchSampler(Method method, Schedule schedule, Parameters p) {
        this(method, flow(schedule, method.samplerName()), p);
    }

    private FlowMatchSampler(Method method, FlowSchedule flow, Parameters p) {
        this(method, flow, method == Method.HEUN ? FlowSigmas.readHeun(p, trainSteps(flow)) : FlowSigmas.readEuler(p, trainSteps(flow)),
                method == Method.EULER && p.getBoolean("stochastic_sampling", false), PredictionClipping.read(p, null));
    }

    private FlowMatchSampler(Method method, FlowSchedule flow, FlowSigmas plan, boolean stochastic, PredictionClipping clipping) {
        super(method.samplerName(), flow, plan.timesteps());
        this.flow = flow;
        this.method = method;
        this.sigmas = plan.sigmas();
        this.stochastic = stochastic;
        this.clipping = clipping;
    }

    /** The schedule as a flow schedule, or an error that names the conversion. */
    static FlowSchedule flow(Schedule schedule, String sampler) {
        if (schedule instanceof FlowSchedule f) {
            return f;
        }
        throw new InvalidParameterException("schedule", schedule.name(), "is not a flow-matching path; sampler '" + sampler
                + "' integrates the flow of a flow schedule (e.g. rectified-flow). To sample a flow model with a diffusion sampler, "
                + "use that sampler on the flow schedule; to use a diffusion model here, view it on the flow schedule "
                + "(Denoiser.retimed)");
    }

    private static int trainSteps(FlowSchedule flow) {
        return (int) Math.round(flow.timeScale());
    }

    /** The levels {@code s_0 .. s_n} (path times, or reversed when inverted); the last is the end. */
    public double[] sigmas() {
        return sigmas.clone();
    }

    /** Euler's first order, Heun's and the midpoint rule's second; none with stochastic sampling. */
    @Override
    public OptionalInt order() {
        return stochastic ? OptionalInt.empty() : OptionalInt.of(method == Method.EULER ? 1 : 2);
    }

    @Override
    public double stateScale(int i) {
        return 1 / flow.path().scale(flow.pathTime(stateTime(i)));
    }

    @Override
    protected double stateTime(int i) {
        return i < steps() ? timesteps()[i] : flow.modelTime(sigmas[steps()]);
    }

    /** The path's velocity at {@code x} (path coordinates) and model time {@code t}; records the x_0 estimate. */
    static Tensor velocity(FlowSchedule flow, Step step, Tensor x, double t) {
        return velocity(flow, step, x, t, null);
    }

    /**
     * The path's velocity at {@code x} and model time {@code t}. With {@code clipping} active (e.g.
     * {@code thresholding}), the velocity of the thresholded x_0 prediction instead: the x_0 the model's
     * output implies is thresholded and converted back through the path at the same point
     * (for the linear path {@code u = (x - x_0) / s}), as the diffusion samplers threshold theirs; where
     * the output does not determine x_0 (an eps or score model at pure noise) the velocity is left as it is.
     */
    static Tensor velocity(FlowSchedule flow, Step step, Tensor x, double t, PredictionClipping clipping) {
        GaussianPath path = flow.path();
        double s = flow.pathTime(t);
        double scale = path.scale(s);
        NoiseLevel level = new NoiseLevel(path.signal(s) / scale, path.noise(s) / scale);
        Tensor vp = x.mul(1 / scale);
        ModelOutput out = step.model(vp, t);
        boolean x0Known = level.alpha() > 0 || out.kind() != Parameterization.EPSILON && out.kind() != Parameterization.SCORE;
        if (clipping != null && clipping.active() && x0Known && level.sigma() > 0) {
            return path.toVelocity(Parameterization.SAMPLE, clipping.apply(out.x0(level)), x, s);
        }
        Tensor u = path.toVelocity(out.kind(), out.raw(), x, s);
        if (level.alpha() > 0) {
            out.x0(level);
        }
        return u;
    }

    @Override
    protected UpdateRule newRule() {
        double[] t = timesteps();
        return (i, x, step) -> {
            double sigma = sigmas[i];
            double next = sigmas[i + 1];
            double dt = next - sigma;
            Tensor u = velocity(flow, step, x, t[i], clipping);
            return switch (method) {
                case EULER -> stochastic ? x.linear(1, u, -sigma).mul(1 - next).linear(1, step.noise(x), next) : x.linear(1, u, dt);
                case HEUN -> {
                    if (i + 1 == steps()) {
                        yield x.linear(1, u, dt);
                    }
                    Tensor u2 = velocity(flow, step, x.linear(1, u, dt), t[i + 1], clipping);
                    yield x.linear(1, u.add(u2), 0.5 * dt);
                }
                case MIDPOINT -> {
                    double half = sigma + 0.5 * dt;
                    Tensor u2 = velocity(flow, step, x.linear(1, u, 0.5 * dt), flow.modelTime(half), clipping);
                    yield x.linear(1, u2, dt);
                }
            };
        };
    }
}
