package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.History;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Multistep DPM-Solver (Lu et al. 2022) and DPM-Solver++ (Lu et al. 2022b), orders 1-3 (diffusers'
 * DPMSolverMultistepScheduler). Each step solves the probability-flow ODE exactly in its linear
 * part ({@link ExponentialStep}) from {@code s0 = t_i} to {@code t = t_{i+1}}, with the model's
 * prediction {@code m} (x_0 for DPM-Solver++, eps for DPM-Solver) expanded in {@code lambda} through
 * the last outputs {@code m0, m1, m2} at {@code s0, s1, s2}:
 * <pre>
 *   r0 = (lambda_s0 - lambda_s1) / h,   D0 = m0,   D1 = (m0 - m1) / r0
 *   order 1:  x_t = base x_s0 - scale phi_1 D0                                   (DDIM)
 *   order 2:  ... - scale phi_1 D1 / 2  (midpoint)  or  - scale phi_2 D1  (heun)
 *   order 3:  r1 = (lambda_s1 - lambda_s2) / h,  D1_0 = D1,  D1_1 = (m1 - m2) / r1,
 *             D1 = D1_0 + r0 / (r0 + r1) (D1_0 - D1_1),  D2 = (D1_0 - D1_1) / (r0 + r1),
 *             x_t = base x_s0 - scale (phi_1 D0 + phi_2 D1 + phi_3 D2)
 * </pre>
 * The first steps use lower orders while the history fills; the last ones too with
 * {@code lower_order_final} (for fewer than 15 steps), {@code euler_at_final}, or a final
 * {@code sigma = 0} ({@code final_sigmas_type = zero}, a jump to x_0).
 *
 * <p>Parameters: {@code steps} (20), {@code solver_order} (2, in 1..3), {@code algorithm_type}
 * (dpmsolver++ | dpmsolver), {@code solver_type} (midpoint | heun), {@code lower_order_final}
 * (true), {@code euler_at_final}, {@code final_sigmas_type} (zero | sigma_min),
 * {@code use_karras_sigmas}, {@code use_exponential_sigmas}, {@code use_beta_sigmas},
 * {@code use_lu_lambdas}, {@code lambda_min_clipped}, {@code timestep_spacing} (linspace; or logsnr, quadratic: see {@link Spacing}),
 * {@code steps_offset}, {@code timesteps} (custom list), {@code thresholding},
 * {@code dynamic_thresholding_ratio}, {@code sample_max_value}.
 */
public final class DpmSolverMultistepSampler extends BaseSampler {
    public static final String NAME = "dpmsolver-multistep";

    private final DiscreteSchedule schedule;
    private final SolverSteps plan;
    private final DpmSolverOptions options;
    private final boolean lowerOrderFinal;
    private final boolean eulerAtFinal;

    public DpmSolverMultistepSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p, plan(SamplerParameters.discrete(schedule, NAME), p, "linspace"));
    }

    private DpmSolverMultistepSampler(DiscreteSchedule schedule, Parameters p, SolverSteps plan) {
        super(NAME, schedule, plan.timesteps());
        this.schedule = schedule;
        this.plan = plan;
        this.options = DpmSolverOptions.read(p, NAME);
        this.lowerOrderFinal = p.getBoolean("lower_order_final", true);
        this.eulerAtFinal = p.getBoolean("euler_at_final", false);
    }

    /** diffusers' placement of DPM-Solver's steps ({@code defaultSpacing} when {@code timestep_spacing} is not given). */
    static SolverSteps plan(DiscreteSchedule schedule, Parameters p, String defaultSpacing) {
        SigmaKind kind = SigmaKind.read(p, true);
        SolverSteps.requireNoCustomTimesteps(p, kind);
        int last = schedule.trainSteps() - clippedSteps(schedule, p.getDouble("lambda_min_clipped", Double.NEGATIVE_INFINITY));
        Spacing spacing = Spacing.readFractional(p, defaultSpacing);
        int offset = SamplerParameters.stepsOffset(p);
        double[] timesteps = SamplerParameters.timesteps(p, schedule, 20, true, n -> spacing.isFractional() ? spacing.fractional(schedule, n)
                : spacing.solverTimesteps(schedule.trainSteps(), last, n, offset));
        // diffusers rounds Karras / log-SNR times except for squaredcos_cap_v2 (our "cosine"), where it truncates
        boolean round = !"cosine".equals(schedule.name());
        return SolverSteps.of(schedule, timesteps, kind, round, null, SolverSteps.finalZero(p), false);
    }

    /** {@code lambda_min_clipped}: how many of the noisiest training steps have a log-SNR below it. */
    static int clippedSteps(DiscreteSchedule schedule, double lambdaMin) {
        int clipped = 0;
        for (int t = 0; t < schedule.trainSteps(); t++) {
            double ab = schedule.alphaBar(t) == 0 ? Sigmas.ZERO_SNR_ALPHA_BAR : schedule.alphaBar(t);
            if (NoiseLevel.ofAlphaBar(ab).lambda() < lambdaMin) {
                clipped++;
            }
        }
        return clipped;
    }

    @Override
    protected UpdateRule newRule() {
        int order = options.order();
        History m = new History(order);
        int n = steps();
        return new UpdateRule() {
            @Override
            public Tensor step(int i, Tensor x, Step step) {
                NoiseLevel s0 = plan.level(i);
                ExponentialStep e = options.step(s0, plan.level(i + 1));
                double t = plan.timesteps()[i];
                m.push(options.prediction(step.model(x, t), x, t, s0, schedule), step);
                int earlier = m.size() - 1;
                boolean lowerFinal = i == n - 1 && (eulerAtFinal || (lowerOrderFinal && n < 15) || options.finalZero());
                boolean lowerSecond = i == n - 2 && lowerOrderFinal && n < 15;
                int k = order == 1 || earlier < 1 || lowerFinal ? 1 : order == 2 || earlier < 2 || lowerSecond ? 2 : 3;
                Tensor next = e.first(x, m.get(0));
                if (k == 1) {
                    return next;
                }
                double h = e.h();
                double r0 = (s0.lambda() - plan.level(i - 1).lambda()) / h;
                Tensor d1 = m.get(0).linear(1 / r0, m.get(1), -1 / r0);
                if (k == 2) {
                    return next.linear(1, d1, options.secondOrderWeight(e));
                }
                double r1 = (plan.level(i - 1).lambda() - plan.level(i - 2).lambda()) / h;
                Tensor d11 = m.get(1).linear(1 / r1, m.get(2), -1 / r1);
                Tensor d2 = d1.linear(1 / (r0 + r1), d11, -1 / (r0 + r1));
                Tensor d1Extrapolated = d1.linear(1 + r0 / (r0 + r1), d11, -r0 / (r0 + r1));
                return next.linear(1, d1Extrapolated, -e.scale() * e.phi2()).linear(1, d2, -e.scale() * e.phi3());
            }

            @Override
            public void close() {
                m.close();
            }
        };
    }

    /**
     * At most 2: a multistep method keeps the error of its first step, which is of order 1, so
     * DPM-Solver++(3M) converges at order 2 (measured by SamplerContract).
     */
    @Override
    public OptionalInt order() {
        return OptionalInt.of(Math.min(options.order(), 2));
    }
}
