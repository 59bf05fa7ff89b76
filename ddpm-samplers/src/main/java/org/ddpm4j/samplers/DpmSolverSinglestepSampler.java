package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.History;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Singlestep DPM-Solver (Lu et al. 2022, Algorithms 1-2; diffusers' DPMSolverSinglestepScheduler):
 * the inference times are grouped into steps of order {@code k} (orders {@code 1, 2, 3, 1, 2, 3, ...}
 * for DPM-Solver-3, the paper's headline solver). A step of order {@code k} starts at {@code s = t_j},
 * evaluates the model at {@code t_j .. t_{j+k-1}}, each intermediate state computed from {@code x_s}
 * by the lower-order update, and lands at {@code t = t_{j+k}}:
 * <pre>
 *   order 2:  r0 = (lambda_s0 - lambda_s1) / h,  D0 = m1,  D1 = (m0 - m1) / r0
 *             x_t = base x_s1 - scale phi_1 D0 - scale phi_1 D1 / 2  (midpoint) or - scale phi_2 D1 (heun)
 *   order 3:  r0, r1 for s0, s1 relative to s2;  D0 = m2,  D1_0 = (m1 - m2) / r1,  D1_1 = (m0 - m2) / r0,
 *             midpoint: x_t = base x_s2 - scale (phi_1 D0 + phi_2 D1_1)
 *             heun:     D1 = (r0 D1_0 - r1 D1_1) / (r0 - r1),  D2 = 2 (D1_1 - D1_0) / (r0 - r1),
 *                       x_t = base x_s2 - scale (phi_1 D0 + phi_2 D1 + phi_3 D2)
 * </pre>
 * (notation of {@link ExponentialStep}; {@code m0} is the newest model output). One run step is one
 * model evaluation, as in diffusers; the state after it is that step's estimate at {@code t_{j+1}}.
 *
 * <p>Parameters: {@code steps} (20), {@code solver_order} (2, in 1..3), {@code algorithm_type}
 * (dpmsolver++ | dpmsolver), {@code solver_type} (midpoint | heun), {@code lower_order_final}
 * (false; forced on, as in diffusers, when steps is not a multiple of the order or the final sigma is 0),
 * {@code final_sigmas_type} (zero | sigma_min), {@code use_karras_sigmas}, {@code use_exponential_sigmas},
 * {@code use_beta_sigmas}, {@code lambda_min_clipped}, {@code timesteps} (custom list), {@code timestep_spacing}
 * (linspace, diffusers' only placement; or logsnr, quadratic: see {@link Spacing}),
 * {@code thresholding}, {@code dynamic_thresholding_ratio}, {@code sample_max_value}.
 */
public final class DpmSolverSinglestepSampler extends BaseSampler {
    public static final String NAME = "dpmsolver-singlestep";

    private final DiscreteSchedule schedule;
    private final SolverSteps plan;
    private final DpmSolverOptions options;
    private final int[] orders;

    public DpmSolverSinglestepSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p, plan(SamplerParameters.discrete(schedule, NAME), p));
    }

    private DpmSolverSinglestepSampler(DiscreteSchedule schedule, Parameters p, SolverSteps plan) {
        super(NAME, schedule, plan.timesteps());
        this.schedule = schedule;
        this.plan = plan;
        this.options = DpmSolverOptions.read(p, NAME);
        boolean lowerOrderFinal = p.getBoolean("lower_order_final", false) || steps() % options.order() != 0 || options.finalZero();
        this.orders = orders(steps(), options.order(), lowerOrderFinal, options.finalZero());
    }

    private static SolverSteps plan(DiscreteSchedule schedule, Parameters p) {
        SigmaKind kind = SigmaKind.read(p, false);
        SolverSteps.requireNoCustomTimesteps(p, kind);
        int end = schedule.trainSteps()
                - DpmSolverMultistepSampler.clippedSteps(schedule, p.getDouble("lambda_min_clipped", Double.NEGATIVE_INFINITY));
        Spacing spacing = Spacing.valueOf(p.getChoice("timestep_spacing", "linspace", "linspace", "logsnr", "quadratic").toUpperCase(java.util.Locale.ROOT));
        double[] timesteps = SamplerParameters.timesteps(p, schedule, 20, true, n -> spacing.isFractional() ? spacing.fractional(schedule, n)
                : Spacing.LINSPACE.solverTimesteps(schedule.trainSteps(), end, n, 0));
        return SolverSteps.of(schedule, timesteps, kind, true, null, SolverSteps.finalZero(p), false);
    }

    /** diffusers' {@code get_order_list}: the order of each evaluation, groups 1, 2, ..., order. */
    static int[] orders(int steps, int order, boolean lowerOrderFinal, boolean finalZero) {
        int[] o = new int[steps];
        int[] tail = new int[0];
        if (lowerOrderFinal && order > 1) {
            int rest = steps % order;
            if (order == 3) {
                tail = rest == 0 ? new int[] {1, 2, 1} : rest == 1 ? new int[] {1} : new int[] {1, 2};
            } else {
                tail = rest == 0 ? new int[] {1, 1} : new int[] {1};
            }
        }
        int groups = steps - tail.length;
        for (int i = 0; i < steps; i++) {
            o[i] = i < groups ? i % order + 1 : tail[i - groups];
        }
        if (finalZero) {
            o[steps - 1] = 1;
        }
        return o;
    }

    @Override
    protected UpdateRule newRule() {
        History m = new History(options.order());
        History start = new History(1);
        return new UpdateRule() {
            @Override
            public Tensor step(int i, Tensor x, Step step) {
                double t = plan.timesteps()[i];
                m.push(options.prediction(step.model(x, t), x, t, plan.level(i), schedule), step);
                int k = Math.min(orders[i], m.size());
                if (k == 1) {
                    start.push(x.mul(1), step);
                }
                ExponentialStep e = options.step(plan.level(i - k + 1), plan.level(i + 1));
                Tensor base = start.get(0);
                if (k == 1) {
                    return e.first(base, m.get(0));
                }
                double h = e.h();
                double lambdaBase = plan.level(i - k + 1).lambda();
                double r0 = (plan.level(i).lambda() - lambdaBase) / h;
                if (k == 2) {
                    Tensor d1 = m.get(0).linear(1 / r0, m.get(1), -1 / r0);
                    return e.first(base, m.get(1)).linear(1, d1, options.secondOrderWeight(e));
                }
                double r1 = (plan.level(i - 1).lambda() - lambdaBase) / h;
                Tensor d10 = m.get(1).linear(1 / r1, m.get(2), -1 / r1);
                Tensor d11 = m.get(0).linear(1 / r0, m.get(2), -1 / r0);
                Tensor next = e.first(base, m.get(2));
                if (!options.heun()) {
                    return next.linear(1, d11, -e.scale() * e.phi2());
                }
                Tensor d1 = d10.linear(r0 / (r0 - r1), d11, -r1 / (r0 - r1));
                Tensor d2 = d11.linear(2 / (r0 - r1), d10, -2 / (r0 - r1));
                return next.linear(1, d1, -e.scale() * e.phi2()).linear(1, d2, -e.scale() * e.phi3());
            }

            @Override
            public void close() {
                m.close();
                start.close();
            }
        };
    }

    @Override
    public OptionalInt order() {
        return OptionalInt.of(options.order());
    }
}
