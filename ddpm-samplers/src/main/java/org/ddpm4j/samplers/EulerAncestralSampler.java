package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Ancestral Euler (k-diffusion's {@code sample_euler_ancestral}; diffusers'
 * EulerAncestralDiscreteScheduler): each step splits the move to {@code sigma_{i+1}} into a
 * deterministic Euler step down to {@code sigma_down} and fresh noise of size {@code sigma_up},
 * <pre>
 *   sigma_up   = min(sigma_{i+1}, eta sqrt(sigma_{i+1}^2 (sigma_i^2 - sigma_{i+1}^2) / sigma_i^2)),
 *   sigma_down = sqrt(sigma_{i+1}^2 - sigma_up^2),
 *   x_{i+1}    = x_i + (sigma_down - sigma_i) (x_i - D(x_i; sigma_i)) / sigma_i + sigma_up z,
 * </pre>
 * the discretisation of the reverse SDE whose marginals are those of the forward process (at
 * {@code eta = 1}, DDPM's ancestral step in sigma).
 *
 * <p>Parameters: those of {@link SigmaSpaceSampler}, plus {@code eta} (1, in [0, 1]; 0 is Euler).
 */
public final class EulerAncestralSampler extends SigmaSpaceSampler {
    public static final String NAME = "euler-ancestral";

    private final double eta;

    public EulerAncestralSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private EulerAncestralSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, Plan.read(schedule, p, false));
        this.eta = Checks.closed(p.qualify("eta"), p.getDouble("eta", 1.0), 0, 1);
    }

    @Override
    protected UpdateRule newRule() {
        return (i, x, step) -> {
            double from = sigma(i);
            double to = sigma(i + 1);
            double up = Math.min(to, eta * Math.sqrt(to * to * (from * from - to * to) / (from * from)));
            double down = Math.sqrt(to * to - up * up);
            Tensor x0 = model(step, x, from, timesteps()[i]).x0(NoiseLevel.ofSigma(from));
            Tensor d = x.linear(1 / from, x0, -1 / from);
            return x.linear(1, d, down - from).linear(1, step.noise(x), up);
        };
    }
}
