package org.ddpm4j.samplers.steps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.CMAESOptimizer;
import org.apache.commons.math3.random.Well19937c;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.samplers.BespokeSampler;

/**
 * Learns a bespoke solver ({@code bespoke} sampler): its step times and its per-step coefficients
 * together, by BOBYQA (Powell's derivative-free trust-region method) on the mean endpoint error of
 * pilot samples against their exact (reference) endpoints; or (the better route, {@link #fitted}) the
 * coefficients in closed form by {@link BespokeLeastSquares} and only the times searched (locally by
 * BOBYQA, then globally by CMA-ES, then locally again).
 *
 * <p>The search starts at the coefficients' zero (DPM-Solver++(2M)) on given start times, so the
 * start is a known solver. The times move in log sigma: the gaps between consecutive log sigmas
 * (first time and sigma_min fixed) are a softmax of free numbers, so every point of the search is a
 * valid descending schedule. A second set of held-out samples decides: the learned solver is kept
 * only if its error there is below the start's, else the start is returned (with narrow modes and
 * few pilots the fit can otherwise be worse on new noise than where it began).
 */
public final class BespokeOptimizer {

    /** A {@code bespoke} sampler (or any with the same parameters) on these times and coefficients, stopping at t = 0. */
    @FunctionalInterface
    public interface SamplerFactory {
        Sampler create(double[] timesteps, double[] coefficients);
    }

    /** Step times (descending model times) and the coefficients of the {@code bespoke} sampler. */
    public record Solver(double[] timesteps, double[] coefficients) {
    }

    /**
     * What the optimization found: the start and the learned solver with their errors on the pilots
     * and on the held-out samples, and how many solver runs the search took.
     */
    public record Result(Solver start, Solver learned, double startPilot, double learnedPilot, double startHeldOut,
            double learnedHeldOut, int runs, List<Stage> stages) {
        /** The learned solver if it beats the start on the held-out samples, else the start. */
        public Solver chosen() {
            return learnedHeldOut < startHeldOut ? learned : start;
        }
    }

    private static final double TIME_BOUND = 2;
    private static final double COEFFICIENT_BOUND = 1;
    private static final double INITIAL_RADIUS = 0.05;
    private static final double FINAL_RADIUS = 1e-6;
    /** A restart of the search follows one that lowered the pilot error by at least this fraction. */
    private static final double RESTART_GAIN = 0.01;
    /** The share of the runs left after the local search over the times that the global search (CMA-ES) takes by default. */
    public static final double GLOBAL_SHARE = 0.75;
    /** CMA-ES's initial spread over the log-gap offsets of the times. */
    private static final double GLOBAL_SIGMA = 0.6;
    private static final long GLOBAL_SEED = 20_240_501;
    /** The global search runs only with at least this many BOBYQA starts' worth of runs (a generation is ~10 runs). */
    private static final int GLOBAL_MINIMUM_RUNS = 10;

    private final SamplerFactory factory;
    private final Denoiser denoiser;
    private final NoiseLevels levels;
    private final Tensor pilots;
    private final Tensor pilotEnds;
    private final Tensor heldOut;
    private final Tensor heldOutEnds;

    /**
     * @param pilots      noise the solver is fitted on, {@code pilotEnds} its exact endpoints (t = 0)
     * @param heldOut     other noise that decides whether to keep the fit, {@code heldOutEnds} its endpoints
     */
    public BespokeOptimizer(SamplerFactory factory, Denoiser denoiser, DiscreteSchedule schedule, Tensor pilots, Tensor pilotEnds,
            Tensor heldOut, Tensor heldOutEnds) {
        this.factory = factory;
        this.denoiser = denoiser;
        this.levels = new NoiseLevels(schedule);
        this.pilots = pilots;
        this.pilotEnds = pilotEnds;
        this.heldOut = heldOut;
        this.heldOutEnds = heldOutEnds;
    }

    /** The solver's mean endpoint error on the pilots. */
    public double pilotError(Solver s) {
        return StepScheduleOptimizer.endpointError(factory.create(s.timesteps(), s.coefficients()), denoiser, pilots, pilotEnds);
    }

    /** The solver's mean endpoint error on the held-out samples. */
    public double heldOutError(Solver s) {
        return StepScheduleOptimizer.endpointError(factory.create(s.timesteps(), s.coefficients()), denoiser, heldOut, heldOutEnds);
    }

    /** A start of the search: its name (the schedule, and which start solver) and the solver. */
    public record Start(String name, Solver solver) {
    }

    /**
     * The start with the least pilot error among DPM-Solver++(2M) on each candidate schedule, plain or
     * with a first-order last step (diffusers' {@code lower_order_final}, better on few steps).
     */
    public Start bestStart(Map<String, double[]> candidates) {
        return bestStarts(candidates, 1).get(0);
    }

    /** The {@code count} starts with the least pilot error (see {@link #bestStart}), least first; distinct times. */
    public List<Start> bestStarts(Map<String, double[]> candidates, int count) {
        if (count < 1) {
            throw new InvalidParameterException("count", count, "must be at least 1");
        }
        List<Start> all = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (Map.Entry<String, double[]> e : candidates.entrySet()) {
            for (Start s : starts(e.getKey(), e.getValue())) {
                all.add(s);
                errors.add(pilotError(s.solver()));
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(errors.get(a), errors.get(b)));
        List<Start> best = new ArrayList<>();
        for (int i : order) {
            boolean sameTimes = false;
            for (Start b : best) {
                sameTimes |= Arrays.equals(b.solver().timesteps(), all.get(i).solver().timesteps());
            }
            if (!sameTimes && best.size() < count) {
                best.add(all.get(i));
            }
        }
        return best;
    }

    /** DPM-Solver++(2M) on {@code timesteps}: plain, and with a first-order last step. */
    public List<Start> starts(String name, double[] timesteps) {
        return List.of(new Start(name, start(timesteps)), new Start(name + ", first-order last step", firstOrderLastStep(timesteps)));
    }

    private static Solver start(double[] timesteps) {
        return new Solver(timesteps.clone(), new double[BespokeSampler.coefficientCount(timesteps.length)]);
    }

    /**
     * DPM-Solver++(2M) with a first-order (DDIM) last step, as coefficients: the last step's weights
     * {@code 1 + 1/(2r), -1/(2r)} corrected to {@code 1, 0}.
     */
    private Solver firstOrderLastStep(double[] timesteps) {
        Solver plain = start(timesteps);
        int n = timesteps.length;
        if (n < 2) {
            return plain;
        }
        double lambdaPrevious = -Math.log(levels.sigma(timesteps[n - 2]));
        double lambdaLast = -Math.log(levels.sigma(timesteps[n - 1]));
        double lambdaEnd = -Math.log(levels.sigma(0));
        double r = (lambdaLast - lambdaPrevious) / (lambdaEnd - lambdaLast);
        double[] c = plain.coefficients();
        int at = BespokeSampler.coefficientCount(n - 1);
        c[at + 1] = -0.5 / r;
        c[at + 2] = 0.5 / r;
        return plain;
    }

    /** {@link #optimize(Solver, int)} from DPM-Solver++(2M) (zero coefficients) on {@code startTimes}. */
    public Result optimize(double[] startTimes, int maxRuns) {
        return optimize(start(startTimes), maxRuns);
    }

    /**
     * Optimizes times and coefficients from {@code start} (times descending, the first kept, the
     * solver stops at t = 0) with at most {@code maxRuns} solver runs on the pilots (at least the
     * {@code 2 d + 3} that BOBYQA needs to start in {@code d} dimensions).
     */
    public Result optimize(Solver start, int maxRuns) {
        double startPilot = pilotError(checkStart(start));
        Search joint = search(start, startPilot, maxRuns, 0, null);
        return result(start, startPilot, joint.solver(), joint.error(), joint.runs(), List.of(new Stage("joint search", joint.error(), joint.runs())));
    }

    /**
     * The least-squares bespoke solver: {@code fit}'s coefficients on the start's times; then a search
     * over the times alone, each point's coefficients fitted in closed form ({@code timeRuns} solver
     * runs, 0 for none: BOBYQA, then CMA-ES with {@link #GLOBAL_SHARE} of the runs left and BOBYQA again);
     * then a joint search of times and coefficients from the best of these ({@code polishRuns}, 0 for none).
     * Kept only if it beats {@code start} on the held-out samples.
     */
    public Result fitted(Solver start, BespokeLeastSquares fit, int timeRuns, int polishRuns) {
        return fitted(start, fit, timeRuns, GLOBAL_SHARE, polishRuns);
    }

    /**
     * {@link #fitted(Solver, BespokeLeastSquares, int, int)} with the share {@code globalShare} of the runs left after
     * the local search over the times given to its global phase (0: BOBYQA alone).
     */
    public Result fitted(Solver start, BespokeLeastSquares fit, int timeRuns, double globalShare, int polishRuns) {
        if (!(globalShare >= 0 && globalShare <= 1)) {
            throw new InvalidParameterException("globalShare", globalShare, "must be in [0, 1]");
        }
        if (timeRuns < 0 || polishRuns < 0) {
            throw new InvalidParameterException(timeRuns < 0 ? "timeRuns" : "polishRuns", Math.min(timeRuns, polishRuns), "must be at least 0");
        }
        double startPilot = pilotError(checkStart(start));
        List<Stage> stages = new ArrayList<>();
        Solver best = new Solver(start.timesteps().clone(), fit.fit(start.timesteps()).coefficients());
        double bestError = pilotError(best);
        stages.add(new Stage("least squares on the start's times", bestError, 1));
        int runs = 1;
        if (timeRuns > 0) {
            Search times = search(best, bestError, timeRuns, globalShare, fit);
            runs += times.runs();
            stages.add(new Stage("least squares + search over the times", times.error(), times.runs()));
            if (times.error() < bestError) {
                best = times.solver();
                bestError = times.error();
            }
        }
        if (polishRuns > 0) {
            Search joint = search(best, bestError, polishRuns, 0, null);
            runs += joint.runs();
            stages.add(new Stage("joint polish", joint.error(), joint.runs()));
            if (joint.error() < bestError) {
                best = joint.solver();
                bestError = joint.error();
            }
        }
        return result(start, startPilot, best, bestError, runs, stages);
    }

    /**
     * {@link #fitted} from each of {@code starts} (least pilot error first: the search over the times
     * ends in a local optimum that depends on where it starts); the result with the least pilot error,
     * its held-out check against the first start.
     */
    public Result fitted(List<Solver> starts, BespokeLeastSquares fit, int timeRuns, int polishRuns) {
        if (starts.isEmpty()) {
            throw new InvalidParameterException("starts", "none", "must be at least one");
        }
        Result best = null;
        List<Stage> stages = new ArrayList<>();
        int runs = 0;
        for (int k = 0; k < starts.size(); k++) {
            Result r = fitted(starts.get(k), fit, timeRuns, polishRuns);
            runs += r.runs();
            for (Stage st : r.stages()) {
                stages.add(new Stage("start " + (k + 1) + ": " + st.name(), st.pilotError(), st.runs()));
            }
            if (best == null || r.learnedPilot() < best.learnedPilot()) {
                best = r;
            }
        }
        Solver first = starts.get(0);
        return new Result(first, best.learned(), pilotError(first), best.learnedPilot(), heldOutError(first), best.learnedHeldOut(), runs,
                List.copyOf(stages));
    }

    /** One stage of {@link #fitted}: its best pilot error and its solver runs. */
    public record Stage(String name, double pilotError, int runs) {
    }

    private Result result(Solver start, double startPilot, Solver learned, double learnedPilot, int runs, List<Stage> stages) {
        return new Result(start, learned, startPilot, learnedPilot, heldOutError(start), heldOutError(learned), runs, List.copyOf(stages));
    }

    private static Solver checkStart(Solver start) {
        double[] startTimes = start.timesteps();
        for (int i = 1; i < startTimes.length; i++) {
            if (!(startTimes[i] < startTimes[i - 1] && startTimes[i] > 0)) {
                throw new InvalidParameterException("startTimes", Arrays.toString(startTimes), "must be strictly descending and above 0");
            }
        }
        return start;
    }

    private record Search(Solver solver, double error, int runs) {
    }

    /**
     * From {@code start} (pilot error {@code startPilot}): BOBYQA, then CMA-ES with {@code globalShare} of the runs
     * left and BOBYQA again; over times and coefficients together ({@code fit == null}), or over the times alone with the
     * coefficients fitted at each point.
     */
    private Search search(Solver start, double startPilot, int maxRuns, double globalShare, BespokeLeastSquares fit) {
        if (maxRuns < 1) {
            throw new InvalidParameterException("maxRuns", maxRuns, "must be at least 1");
        }
        double[] startTimes = start.timesteps();
        int n = startTimes.length;
        double[] logSigma = new double[n + 1];
        for (int k = 0; k < n; k++) {
            logSigma[k] = Math.log(levels.sigma(startTimes[k]));
        }
        logSigma[n] = Math.log(levels.sigma(0));
        double[] logGaps = new double[n];
        for (int k = 0; k < n; k++) {
            logGaps[k] = Math.log(logSigma[k] - logSigma[k + 1]);
        }
        int timeParameters = n - 1;
        int dimension = timeParameters + (fit == null ? start.coefficients().length : 0);
        double[] best = new double[dimension];
        if (fit == null) {
            System.arraycopy(start.coefficients(), 0, best, timeParameters, dimension - timeParameters);
        }
        double[] lower = new double[dimension];
        double[] upper = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            double bound = i < timeParameters ? TIME_BOUND : COEFFICIENT_BOUND;
            lower[i] = best[i] - bound;
            upper[i] = best[i] + bound;
        }
        double penalty = 100 * (Double.isFinite(startPilot) ? startPilot : 1) + 1;
        double[] bestError = {startPilot};
        Solver[] bestSolver = {start};
        int[] runs = {0};
        ObjectiveFunction objective = new ObjectiveFunction(x -> {
            runs[0]++;
            double error;
            try {
                Solver s = solver(x, timeParameters, logSigma, logGaps, startTimes[0]);
                if (fit != null) {
                    s = new Solver(s.timesteps(), fit.fit(s.timesteps()).coefficients());
                }
                error = pilotError(s);
                if (error < bestError[0]) {
                    bestError[0] = error;
                    bestSolver[0] = s;
                    System.arraycopy(x, 0, best, 0, dimension);
                }
            } catch (InvalidParameterException | org.apache.commons.math3.linear.SingularMatrixException collapsed) {
                // two times closer than the schedule resolves: not a schedule
                error = Double.POSITIVE_INFINITY;
            }
            return Double.isFinite(error) ? Math.min(error, penalty) : penalty;
        });
        if (dimension >= 2) {
            int minimumRun = 2 * dimension + 3;
            restartedBobyqa(objective, best, lower, upper, maxRuns, runs, bestError);
            // where modes are narrow the error over the times has many narrow basins, and which one the local
            // search ends in decides the result (2x to 7x against diffusers on one mixture, with other pilots):
            // a global evolution strategy (CMA-ES) from the best point with a share of the runs left, then BOBYQA
            // again from whatever is best; never worse than the local search alone, which runs first unchanged
            int globalRuns = (int) (globalShare * (maxRuns - runs[0]));
            if (globalRuns >= GLOBAL_MINIMUM_RUNS * minimumRun) {
                double[] sigma = new double[dimension];
                Arrays.fill(sigma, GLOBAL_SIGMA);
                try {
                    new CMAESOptimizer(Integer.MAX_VALUE, 0, true, 0, 0, new Well19937c(GLOBAL_SEED), false, null).optimize(new MaxEval(globalRuns),
                            objective, GoalType.MINIMIZE, new InitialGuess(best.clone()), new SimpleBounds(lower, upper),
                            new CMAESOptimizer.Sigma(sigma), new CMAESOptimizer.PopulationSize(4 + (int) (3 * Math.log(dimension))));
                } catch (TooManyEvaluationsException budgetSpent) {
                    // the objective keeps the best point seen
                }
                if (maxRuns - runs[0] >= minimumRun) {
                    restartedBobyqa(objective, best, lower, upper, maxRuns, runs, bestError);
                }
            }
        }
        return new Search(bestSolver[0], bestError[0], runs[0]);
    }

    /**
     * BOBYQA from {@code best} (updated in place by the objective) within {@code maxRuns} in all. It stops when
     * its trust region has shrunk, which on narrow modes happens early and far from the budget: restarted from
     * the best point with a fresh region while that still gains.
     */
    private static void restartedBobyqa(ObjectiveFunction objective, double[] best, double[] lower, double[] upper, int maxRuns, int[] runs,
            double[] bestError) {
        int minimumRun = 2 * best.length + 3;
        double before = Double.POSITIVE_INFINITY;
        boolean first = true;
        while (first || maxRuns - runs[0] >= minimumRun && bestError[0] < (1 - RESTART_GAIN) * before) {
            before = bestError[0];
            bobyqa(objective, best.clone(), lower, upper, Math.max(maxRuns - runs[0], minimumRun));
            first = false;
        }
    }

    private static void bobyqa(ObjectiveFunction objective, double[] from, double[] lower, double[] upper, int maxRuns) {
        try {
            new BOBYQAOptimizer(2 * from.length + 1, INITIAL_RADIUS, FINAL_RADIUS).optimize(new MaxEval(maxRuns), objective, GoalType.MINIMIZE,
                    new InitialGuess(from), new SimpleBounds(lower, upper));
        } catch (TooManyEvaluationsException budgetSpent) {
            // the objective keeps the best point seen
        }
    }

    /** The solver at search point {@code x}: log-gap offsets of the interior times, then the coefficients. */
    private Solver solver(double[] x, int timeParameters, double[] logSigma, double[] logGaps, double firstTime) {
        int n = logGaps.length;
        double[] weights = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            weights[k] = Math.exp(logGaps[k] + (k < timeParameters ? x[k] : 0));
            sum += weights[k];
        }
        double total = logSigma[0] - logSigma[n];
        double[] t = new double[n];
        t[0] = firstTime;
        double u = logSigma[0];
        for (int k = 1; k < n; k++) {
            u -= total * weights[k - 1] / sum;
            t[k] = levels.time(Math.exp(u));
        }
        return new Solver(t, Arrays.copyOfRange(x, timeParameters, x.length));
    }
}
