package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.History;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.UpdateRule;

/**
 * A non-stationary linear multistep solver whose per-step coefficients are learned for one model
 * (bespoke solvers: Shaul et al. 2024; the coefficients come from
 * {@link org.ddpm4j.samplers.steps.BespokeOptimizer}). Step {@code i}, from noise level {@code s}
 * to {@code t}, with the data predictions {@code D_i, D_{i-1}, D_{i-2}} of the last steps, is
 * <pre>
 *   x_{i+1} = (1 + c_{i,0}) (sigma_t / sigma_s) x_i + alpha_t (1 - e^{-h}) sum_j (w_{ij} + c_{i,j+1}) D_{i-j}
 * </pre>
 * where {@code w} are DPM-Solver++(2M)'s weights ({@code 1 + 1/(2 r), -1/(2 r), 0} with
 * {@code r = h_{i-1} / h_i}; {@code 1} at the first step and at a final jump to sigma = 0). The
 * learned numbers {@code c} are corrections to that exponential-integrator step, so all zero (the
 * default) is DPM-Solver++(2M) without {@code lower_order_final}, and they stay of order 1 however
 * the steps are placed, which keeps their optimization well scaled.
 *
 * <p>Parameters: those of {@code dpmsolver-multistep} that place the steps ({@code steps}, {@code
 * timesteps}, {@code timestep_spacing} (default logsnr), the sigma schedules, {@code
 * final_sigmas_type}, ...), the thresholding keys, and {@code coefficients}: the corrections
 * {@code c}, step after step, each step {@code 1 + min(i + 1, 3)} numbers ({@link #coefficientCount}).
 * A run resumed mid-way ({@code startAt}) lacks the earlier predictions and takes first-order steps
 * until it has them.
 */
public final class BespokeSampler extends BaseSampler {
    public static final String NAME = "bespoke";
    /** How many data predictions each step combines at most, unless the coefficients are for a longer history. */
    public static final int HISTORY = 3;
    /** The least history: DPM-Solver++(2M), the zero of the corrections, combines two predictions. */
    public static final int MIN_HISTORY = 2;

    private final SolverSteps plan;
    private final boolean finalZero;
    private final double[] corrections;
    private final int history;
    private final boolean learned;
    private final PredictionClipping clipping;

    public BespokeSampler(Schedule schedule, Parameters p) {
        this(p, DpmSolverMultistepSampler.plan(SamplerParameters.discrete(schedule, NAME), p, "logsnr"), schedule);
    }

    private BespokeSampler(Parameters p, SolverSteps plan, Schedule schedule) {
        super(NAME, schedule, plan.timesteps());
        this.plan = plan;
        this.finalZero = SolverSteps.finalZero(p);
        int n = plan.timesteps().length;
        this.learned = p.has("coefficients");
        this.corrections = learned ? checked(p, n) : new double[coefficientCount(n)];
        this.history = historyOf(n, corrections.length);
        this.clipping = PredictionClipping.read(p, null);
    }

    private static double[] checked(Parameters p, int steps) {
        double[] c = p.requireDoubleArray("coefficients");
        if (historyOf(steps, c.length) < 0) {
            throw new InvalidParameterException(p.qualify("coefficients"), c.length + " numbers", "must be " + coefficientCount(steps)
                    + " numbers for " + steps + " steps (1 + min(i + 1, " + HISTORY + ") per step i), or 1 + min(i + 1, H) per step for a history H in ["
                    + MIN_HISTORY + ", " + steps + "]: " + counts(steps));
        }
        for (int i = 0; i < c.length; i++) {
            if (!Double.isFinite(c[i])) {
                throw new InvalidParameterException(p.qualify("coefficients") + "[" + i + "]", c[i], "must be a finite number");
            }
        }
        return c;
    }

    /** The number of learned coefficients of a solver of {@code steps} steps with the default history. */
    public static int coefficientCount(int steps) {
        return coefficientCount(steps, HISTORY);
    }

    /** The number of learned coefficients of a solver of {@code steps} steps combining up to {@code history} predictions. */
    public static int coefficientCount(int steps, int history) {
        return offset(steps, history);
    }

    /** The history that {@code count} coefficients of {@code steps} steps are for (the least of equals), or -1. */
    private static int historyOf(int steps, int count) {
        for (int h = MIN_HISTORY; h <= Math.max(HISTORY, steps); h++) {
            if (coefficientCount(steps, h) == count) {
                return h;
            }
        }
        return -1;
    }

    private static String counts(int steps) {
        StringBuilder b = new StringBuilder();
        for (int h = MIN_HISTORY; h <= Math.max(HISTORY, steps); h++) {
            b.append(b.length() == 0 ? "" : ", ").append(coefficientCount(steps, h)).append(" (H = ").append(h).append(')');
        }
        return b.toString();
    }

    /** Where step {@code i}'s coefficients start. */
    private static int offset(int i, int history) {
        int sum = 0;
        for (int k = 0; k < i; k++) {
            sum += 1 + Math.min(k + 1, history);
        }
        return sum;
    }

    /** How many data predictions a step combines at most (from the coefficients' count). */
    public int history() {
        return history;
    }

    /**
     * Step {@code i}'s arithmetic before its corrections: {@code x_{i+1} = base x_i + gain sum_j weights[j] D_{i-j}},
     * the model evaluated at {@code time}; the corrections add {@code c_0 base x_i + gain sum_j c_{j+1} D_{i-j}}.
     */
    public record StepForm(double time, double base, double gain, double[] weights) {
    }

    /** Step {@code i}'s arithmetic (see {@link StepForm}), for fitting the corrections outside the sampler. */
    public StepForm form(int i) {
        int n = checkedStep(i);
        ExponentialStep e = ExponentialStep.between(plan.level(i), plan.level(i + 1), true);
        return new StepForm(plan.timesteps()[i], e.base(), -e.scale() * e.phi1(), startWeights(i, n));
    }

    /**
     * The data prediction {@code D_i} that step {@code i} takes at {@code x}, as the step computes it
     * (the sampler's noise level, its thresholding): lets a fit outside the sampler follow its arithmetic exactly.
     */
    public Tensor dataPrediction(Denoiser model, Tensor x, int i) {
        checkedStep(i);
        NoiseLevel s = plan.level(i);
        Tensor raw = model.predict(x, plan.timesteps()[i], Condition.none());
        if (model.varianceOutput() != VarianceOutput.NONE) {
            raw = VarianceOutput.split(raw).prediction();
        }
        return clipping.apply(model.parameterization().convert(raw, Parameterization.SAMPLE, x, s.alpha(), s.sigma()));
    }

    /** The number of steps, after checking that {@code i} is one of them. */
    private int checkedStep(int i) {
        int n = steps();
        if (i < 0 || i >= n) {
            throw new InvalidParameterException("step", i, "must be in [0, " + (n - 1) + "]");
        }
        return n;
    }

    /** DPM-Solver++(2M)'s weights of {@code D_i, D_{i-1}, ...} at step {@code i}. */
    private double[] startWeights(int i, int n) {
        double[] w = new double[Math.min(i + 1, history)];
        if (i == 0 || i == n - 1 && finalZero) {
            w[0] = 1;
            return w;
        }
        double h = plan.level(i + 1).lambda() - plan.level(i).lambda();
        double r = (plan.level(i).lambda() - plan.level(i - 1).lambda()) / h;
        w[0] = 1 + 0.5 / r;
        w[1] = -0.5 / r;
        return w;
    }

    @Override
    protected UpdateRule newRule() {
        History d = new History(history);
        return new UpdateRule() {
            @Override
            public Tensor step(int i, Tensor x, Step step) {
                StepForm f = form(i);
                d.push(clipping.apply(step.model(x, f.time()).x0(plan.level(i))), step);
                // resumed mid-run (startAt) without the earlier predictions: a first-order step
                double[] w = d.size() < f.weights().length ? new double[] {1} : f.weights();
                int at = offset(i, history);
                Tensor next = x.mul(f.base() * (1 + corrections[at]));
                for (int j = 0; j < w.length; j++) {
                    next = next.linear(1, d.get(j), f.gain() * (w[j] + corrections[at + 1 + j]));
                }
                return next;
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    /** 2 with the default coefficients (DPM-Solver++(2M)); learned ones promise no order. */
    @Override
    public OptionalInt order() {
        return learned ? OptionalInt.empty() : OptionalInt.of(2);
    }
}
