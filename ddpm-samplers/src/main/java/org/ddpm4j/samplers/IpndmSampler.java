package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.History;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.UpdateRule;

/**
 * iPNDM (Zhang and Chen 2023, "Fast sampling of diffusion models with exponential integrator"):
 * PNDM's linear multistep with fixed Adams-Bashforth weights, but warmed up by the lower-order
 * multistep formulas instead of Runge-Kutta steps, so every step costs one model evaluation. Written
 * here in the exponential-integrator form with the data prediction: each step is the exact solution
 * of the linear part ({@link ExponentialStep}, DDIM) with the last outputs {@code D0, D1, ...}
 * combined as
 * <pre>
 *   order 1: D0    order 2: (3 D0 - D1) / 2    order 3: (23 D0 - 16 D1 + 5 D2) / 12
 *   order 4: (55 D0 - 59 D1 + 37 D2 - 9 D3) / 24
 * </pre>
 * The weights assume steps of equal length in log-SNR, hence the default spacing {@code logsnr}.
 * A jump to {@code sigma = 0} ({@code final_sigmas_type = zero}) is taken at order 1.
 *
 * <p>Parameters: {@code steps} (20), {@code solver_order} (4, in 1..4), {@code timestep_spacing}
 * (logsnr; or linspace, leading, trailing, quadratic), {@code timesteps} (custom list),
 * {@code final_sigmas_type} (zero | sigma_min), {@code use_karras_sigmas} and the other sigma
 * schedules of DPM-Solver, {@code lambda_min_clipped}, {@code steps_offset}, and the thresholding keys.
 */
public final class IpndmSampler extends BaseSampler {
    public static final String NAME = "ipndm";

    /** Adams-Bashforth weights of D0, D1, ... at orders 1..4. */
    private static final double[][] WEIGHTS = {
        {1},
        {3 / 2.0, -1 / 2.0},
        {23 / 12.0, -16 / 12.0, 5 / 12.0},
        {55 / 24.0, -59 / 24.0, 37 / 24.0, -9 / 24.0}};

    private final SolverSteps plan;
    private final int order;
    private final boolean finalZero;
    private final PredictionClipping clipping;

    public IpndmSampler(Schedule schedule, Parameters p) {
        this(schedule, p, DpmSolverMultistepSampler.plan(SamplerParameters.discrete(schedule, NAME), p, "logsnr"));
    }

    private IpndmSampler(Schedule schedule, Parameters p, SolverSteps plan) {
        super(NAME, schedule, plan.timesteps());
        this.plan = plan;
        this.order = Checks.closed(p.qualify("solver_order"), p.getInt("solver_order", 4), 1, WEIGHTS.length);
        this.finalZero = SolverSteps.finalZero(p);
        this.clipping = PredictionClipping.read(p, null);
    }

    @Override
    protected UpdateRule newRule() {
        History d = new History(order);
        int n = steps();
        return new UpdateRule() {
            @Override
            public Tensor step(int i, Tensor x, Step step) {
                NoiseLevel s = plan.level(i);
                d.push(clipping.apply(step.model(x, plan.timesteps()[i]).x0(s)), step);
                int k = i == n - 1 && finalZero ? 1 : Math.min(order, d.size());
                double[] w = WEIGHTS[k - 1];
                Tensor combined = d.get(0).mul(w[0]);
                for (int j = 1; j < k; j++) {
                    combined = combined.linear(1, d.get(j), w[j]);
                }
                return ExponentialStep.between(s, plan.level(i + 1), true).first(x, combined);
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    /**
     * At most 2: fixed weights are exact only for equal log-SNR steps and the warm-up steps are of
     * lower order, so higher orders still converge at order 2 (measured by SamplerContract).
     */
    @Override
    public OptionalInt order() {
        return OptionalInt.of(Math.min(order, 2));
    }
}
