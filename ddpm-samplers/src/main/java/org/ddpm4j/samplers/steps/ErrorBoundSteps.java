package org.ddpm4j.samplers.steps;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.analysis.UnivariateFunction;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Xue et al. 2024 ("Accelerating Diffusion Sampling with Optimized Time Steps"): the step placement
 * that minimizes a bound on the discretization error of a data-prediction exponential-integrator
 * multistep solver. With {@code lambda = log(alpha / sigma)} (variance-preserving alpha, sigma) and
 * {@code D} the data prediction, the exact flow is
 * {@code x(l_i) = (sigma_i / sigma_{i-1}) x(l_{i-1}) + sigma_i * integral over [l_{i-1}, l_i] of e^l D(l) dl};
 * a multistep solver replaces {@code D} by its interpolant through the nodes of earlier
 * evaluations, so its local error is {@code sigma_i} times the integral of {@code e^l} times the
 * interpolation remainder {@code D^(m)(xi) / m! * prod over nodes (l - l_n)}. Taking every
 * derivative {@code D^(m)} as the same constant, a step's error depends on the log-SNR nodes only:
 *
 * <pre>  e_i = w_i * sigma_i * | integral over [l_{i-1}, l_i] of e^l prod_n (l - l_n) dl | / m!</pre>
 *
 * and the schedule minimizes their sum over the interior log-SNR times (the first and last fixed),
 * under an order-preserving parametrisation: the {@code N} step lengths are the softmax of
 * {@code N - 1} free numbers (the last 0) times the whole log-SNR range, minimized by BOBYQA from
 * the uniform log-SNR spacing and from the hand-made family of least bound, keeping the least. The integral is closed
 * form ({@code integral of e^u p(u) = e^u (p - p' + p'' - ...)}).
 *
 * <p>It depends on the noise schedule only, not on the model: no model evaluation (seconds of CPU at 10-20 steps, for BOBYQA).
 * The weight {@code w_i} is 1 (the plain sum of local errors), or with
 * {@link #carried(double)} how much of an error at step i survives to t = 0 under the exact flow of
 * data {@code N(mu, s^2)} per coordinate, {@code sqrt(alpha_N^2 s^2 + sigma_N^2) / sqrt(alpha_i^2 s^2 + sigma_i^2)}:
 * the one model-dependent constant, the data's scale.
 *
 * <p>The nodes follow the samplers of this package with their defaults (see {@link Solver}); DPM-Solver++(2M)'s
 * second-order coefficient {@code 1/2} instead of the exact integral of the interpolant adds a
 * term of the same order that the bound leaves out.
 */
public final class ErrorBoundSteps {
    /** Which earlier data predictions each step of a multistep solver interpolates. */
    public enum Solver {
        /**
         * DPM-Solver++(kM): the last {@code min(k, i + 1)} predictions; below 15 steps
         * ({@code lower_order_final}) the last step is of order 1 and the one before of at most 2.
         */
        DPM_SOLVER_PP,
        /**
         * UniPC-k: the predictor uses the last {@code min(k, steps left, i + 1)} predictions
         * ({@code lower_order_final}); the corrector adds the step's end point, which the next step
         * evaluates anyway (so not on the last step).
         */
        UNIPC,
        /**
         * iPNDM-k: Adams-Bashforth on the last {@code min(k, i + 1)} predictions (its fixed weights are the
         * interpolant's integral only for equal log-SNR steps, so here the bound is an approximation).
         */
        IPNDM;

        /** The solver of a sampler name: dpmsolver-multistep, unipc or ipndm. */
        public static Solver of(String sampler) {
            return switch (sampler) {
                // bespoke starts from DPM-Solver++(2M)'s nodes; its learned corrections come after the times
                case "dpmsolver-multistep", "bespoke" -> DPM_SOLVER_PP;
                case "unipc" -> UNIPC;
                case "ipndm" -> IPNDM;
                default -> throw new InvalidParameterException("sampler", sampler, "must be dpmsolver-multistep, unipc, ipndm or bespoke for the error bound");
            };
        }

        /** Earlier predictions interpolated by step {@code i} (0-based) of {@code steps}, for solver order {@code order}. */
        int predictorNodes(int i, int steps, int order) {
            int m = Math.min(order, i + 1);
            return switch (this) {
                case DPM_SOLVER_PP -> steps < 15 && i == steps - 1 ? 1 : steps < 15 && i == steps - 2 ? Math.min(m, 2) : m;
                case UNIPC -> Math.min(m, steps - i);
                case IPNDM -> m;
            };
        }

        boolean corrected(int i, int steps) {
            return this == UNIPC && i < steps - 1;
        }

        int maxOrder() {
            return this == IPNDM ? 4 : 3;
        }
    }

    /** Bounds of the free softmax numbers: step lengths within a factor e^30 of each other. */
    private static final double BOUND = 15;

    private final DiscreteSchedule schedule;
    private final NoiseLevels levels;
    private final Solver solver;
    private final int order;
    /** The data's standard deviation for the carried weight, NaN for weight 1. */
    private final double dataStd;

    /**
     * @param order the solver order ({@code solver_order}), 1..3 (1..4 for iPNDM)
     */
    public ErrorBoundSteps(DiscreteSchedule schedule, Solver solver, int order) {
        this(schedule, solver, Checks.closed("solver_order", order, 1, solver.maxOrder()), Double.NaN);
    }

    private ErrorBoundSteps(DiscreteSchedule schedule, Solver solver, int order, double dataStd) {
        this.schedule = schedule;
        this.levels = new NoiseLevels(schedule);
        this.solver = solver;
        this.order = order;
        this.dataStd = dataStd;
        if (!(levels.sigma(0) > 0)) {
            throw new InvalidParameterException("schedule", schedule.name(), "has sigma = 0 at t = 0, where log-SNR is infinite");
        }
    }

    /**
     * The same bound with each step's error weighted by how much of it the exact flow of data with
     * standard deviation {@code dataStd} per coordinate carries to t = 0.
     */
    public ErrorBoundSteps carried(double dataStd) {
        return new ErrorBoundSteps(schedule, solver, order, Checks.positive("data_std", dataStd));
    }

    /**
     * {@link #carried(double)} with the standard deviation of {@code samples} ({@code [n, ...]}, e.g.
     * the model's own samples) about their mean, pooled over coordinates.
     */
    public ErrorBoundSteps carriedFor(Tensor samples) {
        double[] x = samples.toDoubleArray();
        int n = samples.shape()[0];
        int d = x.length / n;
        double sum = 0;
        for (int c = 0; c < d; c++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i * d + c];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                sum += (x[i * d + c] - mean) * (x[i * d + c] - mean);
            }
        }
        return carried(Math.sqrt(sum / ((double) n * d)));
    }

    private double lambda(double t) {
        return -Math.log(levels.sigma(t));
    }

    /** Each step's error term (signed: the integral's sign) for these {@code N} descending model times, stopping at t = 0. */
    public double[] localErrors(double[] timesteps) {
        checkTimes(timesteps);
        double[] l = new double[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            l[i] = lambda(timesteps[i]);
        }
        l[timesteps.length] = lambda(0);
        double[] e = new double[timesteps.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = localError(l, i);
        }
        return e;
    }

    /** The bound: the summed absolute step errors of these descending model times (stopping at t = 0). */
    public double bound(double[] timesteps) {
        double s = 0;
        for (double e : localErrors(timesteps)) {
            s += Math.abs(e);
        }
        return s;
    }

    private double boundOfLambdas(double[] l) {
        double s = 0;
        for (int i = 0; i + 1 < l.length; i++) {
            s += Math.abs(localError(l, i));
        }
        return s;
    }

    /** Step {@code i}, from {@code l[i]} to {@code l[i + 1]}. */
    private double localError(double[] l, int i) {
        int steps = l.length - 1;
        int m = solver.predictorNodes(i, steps, order);
        boolean corrected = solver.corrected(i, steps);
        double[] nodes = new double[m + (corrected ? 1 : 0)];
        for (int k = 0; k < m; k++) {
            nodes[k] = l[i - k];
        }
        if (corrected) {
            nodes[m] = l[i + 1];
        }
        double factorial = 1;
        for (int k = 2; k <= nodes.length; k++) {
            factorial *= k;
        }
        double sigma = vpSigma(l[i + 1]);
        double weight = 1;
        if (!Double.isNaN(dataStd)) {
            double end = l[steps];
            weight = spread(end) / spread(l[i + 1]);
        }
        return weight * sigma * expTimesPolynomialIntegral(l[i], l[i + 1], nodes) / factorial;
    }

    private static double vpSigma(double lambda) {
        return 1 / Math.sqrt(Math.exp(2 * lambda) + 1);
    }

    /** The standard deviation of x_t for data of standard deviation {@code dataStd}. */
    private double spread(double lambda) {
        double sigma = vpSigma(lambda);
        double alpha = Math.exp(lambda) * sigma;
        return Math.sqrt(alpha * alpha * dataStd * dataStd + sigma * sigma);
    }

    /** {@code integral over [a, b] of e^l prod_n (l - nodes[n]) dl}, closed form. */
    static double expTimesPolynomialIntegral(double a, double b, double[] nodes) {
        // p(u) = prod (u - (node - a)), u = l - a, coefficients in ascending powers
        double[] p = {1};
        for (double node : nodes) {
            double root = node - a;
            double[] q = new double[p.length + 1];
            for (int k = 0; k < p.length; k++) {
                q[k + 1] += p[k];
                q[k] -= root * p[k];
            }
            p = q;
        }
        // Q = p - p' + p'' - ..., the antiderivative of e^u p(u) is e^u Q(u)
        double[] big = new double[p.length];
        double[] derivative = p.clone();
        for (int k = 0; k < p.length; k++) {
            for (int c = 0; c < derivative.length; c++) {
                big[c] += (k % 2 == 0 ? 1 : -1) * derivative[c];
            }
            double[] d = new double[Math.max(derivative.length - 1, 1)];
            for (int c = 1; c < derivative.length; c++) {
                d[c - 1] = c * derivative[c];
            }
            derivative = d;
        }
        double h = b - a;
        double atH = 0;
        for (int c = big.length - 1; c >= 0; c--) {
            atH = atH * h + big[c];
        }
        return Math.exp(a) * (Math.exp(h) * atH - big[0]);
    }

    /**
     * The least bound's schedules at {@code steps}: {@code Xue} (this bound) and {@code Xue (carried)}
     * ({@link #carriedFor} {@code samples}), in that order; no weight wins everywhere, so callers pick by pilot error.
     */
    public Map<String, double[]> variants(Tensor samples, int steps) {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("Xue", schedule(steps));
        v.put("Xue (carried)", carriedFor(samples).schedule(steps));
        return v;
    }

    /** The {@code steps} descending model times (first the last training step; the run stops at t = 0) of the least bound. */
    public double[] schedule(int steps) {
        Checks.atLeast("steps", steps, 1);
        double first = levels.last();
        double l0 = lambda(first);
        double range = lambda(0) - l0;
        int free = steps - 1;
        if (free == 0) {
            return new double[] {first};
        }
        double[] best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        if (free == 1) {
            // one free number: scan, then Brent's method around the best scanned point
            UnivariateFunction f = z -> boundOfLambdas(lambdas(l0, range, new double[] {z}));
            int points = 400;
            double bestZ = 0;
            for (int k = 0; k <= points; k++) {
                double z = -BOUND + 2 * BOUND * k / points;
                double v = f.value(z);
                if (v < bestValue) {
                    bestValue = v;
                    bestZ = z;
                }
            }
            double step = 2 * BOUND / points;
            double z = new BrentOptimizer(1e-12, 1e-14).optimize(new MaxEval(1000), new UnivariateObjectiveFunction(f), GoalType.MINIMIZE,
                    new SearchInterval(Math.max(-BOUND, bestZ - step), Math.min(BOUND, bestZ + step), bestZ)).getPoint();
            best = f.value(z) < bestValue ? new double[] {z} : new double[] {bestZ};
        } else {
            double[] lo = new double[free];
            double[] hi = new double[free];
            Arrays.fill(lo, -BOUND);
            Arrays.fill(hi, BOUND);
            ObjectiveFunction objective = new ObjectiveFunction(z -> boundOfLambdas(lambdas(l0, range, z)));
            for (double[] start : starts(steps)) {
                double[] z = start;
                for (int round = 0; round < 2; round++) {
                    // a second round restarts the trust region at the first round's end
                    PointValuePair p = new BOBYQAOptimizer(2 * free + 1, 1.0, 1e-8).optimize(new MaxEval(200_000), objective, GoalType.MINIMIZE,
                            new InitialGuess(z), new SimpleBounds(lo, hi));
                    z = p.getPoint();
                    if (p.getValue() < bestValue) {
                        bestValue = p.getValue();
                        best = z.clone();
                    }
                }
            }
        }
        double[] l = lambdas(l0, range, best);
        double[] t = new double[steps];
        t[0] = first;
        for (int i = 1; i < steps; i++) {
            t[i] = levels.time(Math.exp(-l[i]));
        }
        checkTimes(t);
        return t;
    }

    /** lambda_0 .. lambda_N from the free numbers: step lengths proportional to exp(z_i), z_N = 0. */
    private static double[] lambdas(double l0, double range, double[] z) {
        int steps = z.length + 1;
        double[] w = new double[steps];
        double total = 0;
        for (int i = 0; i < steps; i++) {
            w[i] = Math.exp(i < z.length ? z[i] : 0);
            total += w[i];
        }
        double[] l = new double[steps + 1];
        l[0] = l0;
        double acc = 0;
        for (int i = 0; i < steps; i++) {
            acc += w[i];
            l[i + 1] = l0 + range * acc / total;
        }
        l[steps] = l0 + range;
        return l;
    }

    /**
     * The free numbers of the uniform log-SNR spacing (all 0) and of the hand-made family of least
     * bound, within the bounds (two starts: BOBYQA's cost grows fast with the number of steps).
     */
    private double[][] starts(int steps) {
        double[] bestFamily = null;
        double least = Double.POSITIVE_INFINITY;
        for (double[] t : HandMadeSpacings.all(schedule, steps).values()) {
            double b = bound(t);
            if (b < least) {
                least = b;
                bestFamily = t;
            }
        }
        double[] z = new double[steps - 1];
        double lastStep = lambda(0) - lambda(bestFamily[steps - 1]);
        for (int i = 0; i < steps - 1; i++) {
            double h = lambda(bestFamily[i + 1]) - lambda(bestFamily[i]);
            z[i] = Math.max(-BOUND + 1e-6, Math.min(BOUND - 1e-6, Math.log(h / lastStep)));
        }
        return new double[][] {new double[steps - 1], z};
    }

    private void checkTimes(double[] t) {
        if (t.length < 1) {
            throw new InvalidParameterException("timesteps", "[]", "needs at least one time");
        }
        for (int i = 0; i < t.length; i++) {
            boolean inRange = t[i] > 0 && t[i] <= levels.last();
            boolean descending = i == 0 || t[i] < t[i - 1];
            if (!inRange || !descending) {
                throw new InvalidParameterException("timesteps", Arrays.toString(t), String.format(Locale.ROOT,
                        "must be strictly descending model times in (0, %s] (the run stops at t = 0)", levels.last()));
            }
        }
    }
}
