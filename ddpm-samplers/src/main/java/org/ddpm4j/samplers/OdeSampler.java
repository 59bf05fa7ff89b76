package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;

/**
 * The probability-flow ODE solved adaptively to a requested accuracy ({@link ProbabilityFlowOde};
 * Dormand-Prince with error control, Commons Math): the accurate reference sampler, for any
 * schedule, discrete or continuous. Starts from {@code x_T = noise} at {@code t_start} and returns
 * {@code x_t} at {@code t_end}; one run step is the whole adaptive integration, and
 * {@link #timesteps()} is empty because the integrator chooses its own. The batch is one ODE
 * system under one error control, so the steps, and a sample's last digits within the tolerance,
 * depend on the batch ({@link #couplesBatch()}).
 *
 * <p>Parameters: {@code rtol}, {@code atol} (1e-5 each), {@code method} (dopri8 | dopri5),
 * {@code max_evaluations} (100000), {@code t_start} (the schedule's last time), {@code t_end}
 * (its first: sigma_min, where a discrete schedule's training steps begin).
 */
public final class OdeSampler extends BaseSampler {
    public static final String NAME = "ode";

    private final ProbabilityFlowOde ode;
    private final double start;
    private final double end;

    public OdeSampler(Schedule schedule, Parameters p) {
        super(NAME, schedule, new double[0]);
        this.ode = ProbabilityFlowOde.read(schedule, p);
        this.start = Checks.closed(p.qualify("t_start"), p.getDouble("t_start", schedule.tMax()), schedule.tMin(), schedule.tMax());
        this.end = Checks.closed(p.qualify("t_end"), p.getDouble("t_end", schedule.tMin()), schedule.tMin(), start);
        ode.logSigma(p.qualify("t_start"), start);
        ode.logSigma(p.qualify("t_end"), end);
    }

    public ProbabilityFlowOde ode() {
        return ode;
    }

    @Override
    public int steps() {
        return 1;
    }

    @Override
    public double initialScale() {
        return 1 / schedule().signal(start);
    }

    @Override
    public double stateScale(int i) {
        return schedule().signal(i == 0 ? start : end);
    }

    @Override
    protected double stateTime(int i) {
        return i == 0 ? start : end;
    }

    /** One adaptive step control for the whole batch. */
    @Override
    public boolean couplesBatch() {
        return true;
    }

    @Override
    protected UpdateRule newRule() {
        return (i, y, step) -> ode.integrate((state, u) -> {
            double sigma = Math.exp(u);
            NoiseLevel level = NoiseLevel.ofSigma(sigma);
            return step.model(state.mul(level.alpha()), schedule().timeAtSigma(sigma)).eps(level).mul(sigma);
        }, y, ode.logSigma(start), ode.logSigma(end));
    }
}
