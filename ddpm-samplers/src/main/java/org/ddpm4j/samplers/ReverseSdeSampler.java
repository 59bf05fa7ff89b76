package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;

/**
 * The reverse-time SDE of Song et al. (2021, eq. 6) solved by Euler-Maruyama: for the VP SDE
 * {@code dx = -beta(t)/2 x dt + sqrt(beta(t)) dw}, each step from {@code t} to {@code t - dt} is
 * <pre>
 *   x <- x + [beta(t)/2 x + beta(t) s_theta(x, t)] dt + sqrt(beta(t) dt) z
 * </pre>
 * Needs a continuous schedule; parameters of {@link ContinuousTimeSampler}.
 */
public final class ReverseSdeSampler extends ContinuousTimeSampler {
    public static final String NAME = "sde-euler-maruyama";

    public ReverseSdeSampler(Schedule schedule, Parameters p) {
        super(NAME, schedule, p, 1000);
    }

    @Override
    protected UpdateRule newRule() {
        return this::eulerMaruyama;
    }
}
