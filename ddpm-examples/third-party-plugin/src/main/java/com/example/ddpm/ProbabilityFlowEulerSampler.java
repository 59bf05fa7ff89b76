package com.example.ddpm;

import java.util.OptionalInt;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.toolkit.sampling.UpdateRule;

/**
 * A sampler written by a third party on ddpm4j's toolkit: Euler's method on the probability-flow
 * ODE of the VP SDE (Song et al. 2021, eq. 13),
 * {@code dx/dt = -beta(t)/2 (x - eps(x, t) / sigma_t)}, from {@code t = 1} to {@code t = t_min} in
 * uniform steps. The toolkit's run loop supplies memory scopes, NaN reports, listeners, {@code startAt}
 * and {@code setState}; this class supplies the time grid and the update rule.
 */
public final class ProbabilityFlowEulerSampler extends BaseSampler {
    public static final String NAME = "example-pf-euler";

    private final ContinuousSchedule schedule;
    private final double tMin;

    public ProbabilityFlowEulerSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.continuous(schedule, NAME), Checks.atLeast(p.qualify("steps"), p.getInt("steps", 500), 1),
                Checks.open(p.qualify("t_min"), p.getDouble("t_min", 1e-3), 0, 1));
    }

    private ProbabilityFlowEulerSampler(ContinuousSchedule schedule, int steps, double tMin) {
        super(NAME, schedule, grid(steps, tMin));
        this.schedule = schedule;
        this.tMin = tMin;
    }

    private static double[] grid(int steps, double tMin) {
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = 1 - (1 - tMin) * i / steps;
        }
        return t;
    }

    @Override
    protected double stateTime(int i) {
        return i < steps() ? 1 - (1 - tMin) * i / steps() : tMin;
    }

    @Override
    protected UpdateRule newRule() {
        return (i, x, step) -> {
            double t = stateTime(i);
            Tensor eps = step.model(x, t).eps(NoiseLevel.ofAlphaBar(schedule.alphaBar(t)));
            double c = -0.5 * schedule.beta(t) * (stateTime(i + 1) - t);
            return x.linear(1 + c, eps, -c / schedule.noise(t));
        };
    }

    /** Euler's method: first order (the contract measures it). */
    @Override
    public OptionalInt order() {
        return OptionalInt.of(1);
    }
}
