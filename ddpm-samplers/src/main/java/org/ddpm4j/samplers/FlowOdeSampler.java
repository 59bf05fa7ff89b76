package org.ddpm4j.samplers;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.schedule.Schedule;

/**
 * The flow ODE {@code dx/ds = u(x, s)} of a {@link FlowSchedule} solved adaptively to a requested
 * accuracy by the Dormand-Prince integrators of {@link ProbabilityFlowOde} (the same code as the
 * diffusion reference sampler {@code ode}, here in path time {@code s} instead of log sigma):
 * the accurate reference of the flow samplers. One run step is the whole integration, from
 * {@code s_start} (1: pure noise, which the flow's field reaches, unlike log sigma) to {@code s_end} (0).
 *
 * <p>Parameters: {@code rtol}, {@code atol} (1e-5 each), {@code method} (dopri8 | dopri5),
 * {@code max_evaluations} (100000), {@code s_start} (1), {@code s_end} (0), path times in [0, 1].
 */
public final class FlowOdeSampler extends BaseSampler {
    public static final String NAME = "flow-ode";

    private final FlowSchedule flow;
    private final ProbabilityFlowOde ode;
    private final double start;
    private final double end;

    public FlowOdeSampler(Schedule schedule, Parameters p) {
        this(FlowMatchSampler.flow(schedule, NAME), p);
    }

    private FlowOdeSampler(FlowSchedule flow, Parameters p) {
        super(NAME, flow, new double[0]);
        this.flow = flow;
        this.ode = ProbabilityFlowOde.read(flow, p);
        this.start = Checks.closed(p.qualify("s_start"), p.getDouble("s_start", 1), 0, 1);
        this.end = Checks.closed(p.qualify("s_end"), p.getDouble("s_end", 0), 0, start);
    }

    @Override
    public int steps() {
        return 1;
    }

    @Override
    public double stateScale(int i) {
        return 1 / flow.path().scale(i == 0 ? start : end);
    }

    @Override
    protected double stateTime(int i) {
        return flow.modelTime(i == 0 ? start : end);
    }

    /** One adaptive step control for the whole batch, as {@link OdeSampler}. */
    @Override
    public boolean couplesBatch() {
        return true;
    }

    @Override
    protected UpdateRule newRule() {
        return (i, x, step) -> ode.integrate((state, s) -> FlowMatchSampler.velocity(flow, step, state, flow.modelTime(s)), x, start, end);
    }
}
