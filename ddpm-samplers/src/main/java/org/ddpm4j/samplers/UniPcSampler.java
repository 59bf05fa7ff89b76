package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.History;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * UniPC, Zhao et al. (2023) (diffusers' UniPCMultistepScheduler): a unified predictor-corrector of
 * order {@code p}. With the model outputs {@code m_k} (x_0 by default, {@code predict_x0}) at
 * {@code s_k}, {@code r_k = (lambda_{s_k} - lambda_{s_0}) / h} and {@code D_k = (m_k - m_0) / r_k}:
 * <pre>
 *   UniP (predictor):  x_t = base x_s0 - scale phi_1 m_0 - scale B(h) sum_k rho^p_k D_k
 *   UniC (corrector):  x_t^c = base x_s0 - scale phi_1 m_0 - scale B(h) (sum_k rho^c_k D_k + rho^c_p (m_t - m_0))
 * </pre>
 * (notation of {@link ExponentialStep}) where the weights solve {@code R rho = g} with
 * {@code R_ij = r_j^(i-1)} and {@code g_i = i! phi_{i+1}(hh) / B(h)}; {@code B(h) = hh} (bh1) or
 * {@code e^hh - 1} (bh2); order 2 uses {@code rho = 1/2}. The corrector re-uses the model output
 * at the predicted point, so it raises the order by one at no extra evaluation: at step {@code i}
 * the state predicted by step {@code i - 1} is corrected first, then the next prediction made.
 *
 * <p>Parameters: {@code steps} (20), {@code solver_order} (2, in 1..3), {@code solver_type}
 * (bh2 | bh1), {@code predict_x0} (true), {@code lower_order_final} (true), {@code disable_corrector}
 * (step indices), {@code final_sigmas_type} (zero | sigma_min), {@code use_karras_sigmas},
 * {@code use_exponential_sigmas}, {@code use_beta_sigmas}, {@code sigma_min}, {@code sigma_max},
 * {@code timestep_spacing} (linspace; or logsnr, quadratic: see {@link Spacing}), {@code steps_offset}, {@code thresholding},
 * {@code dynamic_thresholding_ratio}, {@code sample_max_value}.
 */
public final class UniPcSampler extends BaseSampler {
    public static final String NAME = "unipc";

    private final SolverSteps plan;
    private final int order;
    private final boolean bh2;
    private final boolean predictX0;
    private final boolean lowerOrderFinal;
    private final Set<Integer> disableCorrector = new HashSet<>();
    private final PredictionClipping clipping;

    public UniPcSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p, plan(SamplerParameters.discrete(schedule, NAME), p));
    }

    private UniPcSampler(DiscreteSchedule schedule, Parameters p, SolverSteps plan) {
        super(NAME, schedule, plan.timesteps());
        this.plan = plan;
        this.order = Checks.closed(p.qualify("solver_order"), p.getInt("solver_order", 2), 1, 3);
        this.bh2 = p.getChoice("solver_type", "bh2", "bh2", "bh1").equals("bh2");
        this.predictX0 = p.getBoolean("predict_x0", true);
        this.lowerOrderFinal = p.getBoolean("lower_order_final", true);
        if (p.has("disable_corrector")) {
            for (int step : p.requireIntArray("disable_corrector")) {
                disableCorrector.add(step);
            }
        }
        this.clipping = PredictionClipping.read(p, null);
        SamplerParameters.requireNull(p, NAME, "solver_p", "shift_terminal");
        SamplerParameters.requireFalse(p, NAME, "use_flow_sigmas", "use_dynamic_shifting");
        SamplerParameters.ignored(p, "flow_shift", "time_shift_type");
    }

    private static SolverSteps plan(DiscreteSchedule schedule, Parameters p) {
        SigmaKind kind = SigmaKind.read(p, false);
        SolverSteps.requireNoCustomTimesteps(p, kind);
        Spacing spacing = Spacing.readFractional(p, "linspace");
        int offset = SamplerParameters.stepsOffset(p);
        int trainSteps = schedule.trainSteps();
        double[] timesteps = SamplerParameters.timesteps(p, schedule, 20, true, n -> spacing.isFractional() ? spacing.fractional(schedule, n)
                : spacing.solverTimesteps(trainSteps, trainSteps, n, offset));
        double[] range = {p.getDouble("sigma_min", Double.NaN), p.getDouble("sigma_max", Double.NaN)};
        return SolverSteps.of(schedule, timesteps, kind, true, range, SolverSteps.finalZero(p), true);
    }

    /**
     * {@code x_s0 -> x_t} with the newest output {@code m0 = m.get(back)} at {@code s0} and the
     * {@code order - 1} older ones at the levels before; {@code mt} (the output at the predicted
     * {@code x_t}, for the corrector) or null (predictor).
     */
    private Tensor update(Tensor x, History m, int back, int i0, int i1, int k, Tensor mt) {
        NoiseLevel s0 = plan.level(i0);
        ExponentialStep e = ExponentialStep.between(s0, plan.level(i1), predictX0);
        double hh = e.hh();
        int n = mt == null ? k - 1 : k;
        double[] r = new double[n];
        Tensor[] d = new Tensor[n];
        Tensor m0 = m.get(back);
        for (int j = 1; j < k; j++) {
            r[j - 1] = (plan.level(i0 - j).lambda() - s0.lambda()) / e.h();
            d[j - 1] = m.get(back + j).linear(1 / r[j - 1], m0, -1 / r[j - 1]);
        }
        if (mt != null) {
            r[k - 1] = 1;
            d[k - 1] = mt.sub(m0);
        }
        double b = bh2 ? Math.expm1(hh) : hh;
        Tensor next = e.first(x, m0);
        if (n == 0) {
            return next;
        }
        double[] rho = k == 2 && mt == null || k == 1 ? new double[] {0.5} : weights(r, hh, b);
        Tensor correction = d[0].mul(rho[0]);
        for (int j = 1; j < n; j++) {
            correction = correction.linear(1, d[j], rho[j]);
        }
        return next.linear(1, correction, -e.scale() * b);
    }

    /** Solves {@code R rho = g}: {@code R_ij = r_j^(i-1)}, {@code g_i = i! phi_{i+1}(hh) / B(h)} ({@code i = 1..n}). */
    private static double[] weights(double[] r, double hh, double b) {
        int n = r.length;
        double[][] matrix = new double[n][n];
        double[] g = new double[n];
        double phi = Math.expm1(hh) / hh - 1;
        double factorial = 1;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                matrix[i][j] = Math.pow(r[j], i);
            }
            g[i] = phi * factorial / b;
            factorial *= i + 2;
            phi = phi / hh - 1 / factorial;
        }
        return new LUDecomposition(new Array2DRowRealMatrix(matrix, false)).getSolver().solve(new ArrayRealVector(g, false)).toArray();
    }

    @Override
    protected UpdateRule newRule() {
        History m = new History(order);
        History lastSample = new History(1);
        int n = steps();
        return new UpdateRule() {
            private int lastOrder;

            @Override
            public Tensor step(int i, Tensor x, Step step) {
                ModelOutput out = step.model(x, plan.timesteps()[i]);
                Tensor mt = predictX0 ? clipping.apply(out.x0(plan.level(i))) : out.eps(plan.level(i));
                Tensor sample = x;
                if (i > 0 && !disableCorrector.contains(i - 1) && lastSample.size() > 0) {
                    sample = update(lastSample.get(0), m, 0, i - 1, i, lastOrder, mt);
                }
                int earlier = m.size();
                m.push(mt, step);
                lastOrder = Math.min(lowerOrderFinal ? Math.min(order, n - i) : order, earlier + 1);
                lastSample.push(sample == x ? x.mul(1) : sample, step);
                return update(sample, m, 0, i, i + 1, lastOrder, null);
            }

            @Override
            public void close() {
                m.close();
                lastSample.close();
            }
        };
    }

    /**
     * The corrector raises the predictor's order by one; the first step, corrected to order 2, caps
     * a multistep run at 3. Without every corrector the order is not fixed.
     */
    @Override
    public OptionalInt order() {
        return disableCorrector.isEmpty() ? OptionalInt.of(Math.min(order + 1, 3)) : OptionalInt.empty();
    }
}
