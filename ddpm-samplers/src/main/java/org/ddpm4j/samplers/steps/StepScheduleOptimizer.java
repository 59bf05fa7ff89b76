package org.ddpm4j.samplers.steps;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Step placements optimized for one denoiser and one sampler, from a few pilot samples.
 *
 * <p>{@link #dynamicProgramming} is GITS (Chen et al. 2024): the exact probability flow of the
 * pilots is tabulated on a fine grid of times; the cost of a jump from grid time {@code g_i} to
 * {@code g_j} is the mean absolute error of one step of the sampler started on the exact state at
 * {@code g_i}, against the exact state at {@code g_j}; dynamic programming then finds the path of
 * exactly {@code steps} jumps from the first to the last grid time with the least total cost.
 *
 * <p>{@link #descend} refines any placement against what is finally measured: the endpoint error of
 * the whole (multistep) sampler on the pilots, by coordinate search on each interior time within its
 * neighbours. It accepts only improvements, so it never ends worse on the pilots than it started.
 *
 * <p>The sampler must stop at sigma_min (model time 0, the last grid time) and take the state it is
 * started on as given (the variance-preserving {@code x_t}, as DDIM, DPM-Solver and UniPC do).
 */
public final class StepScheduleOptimizer {

    /** A sampler that takes exactly the given descending model times (and stops at t = 0). */
    @FunctionalInterface
    public interface SamplerFactory {
        Sampler create(double[] timesteps);
    }

    /** The exact probability flow: the state at time {@code to} of the trajectory through {@code x} at {@code from}. */
    @FunctionalInterface
    public interface ExactFlow {
        Tensor solve(Tensor x, double from, double to);
    }

    private final SamplerFactory factory;
    private final Denoiser denoiser;
    private final ExactFlow exact;
    private final Tensor pilots;
    private final double[] grid;
    private final Tensor[] trajectory;

    /**
     * @param grid descending model times, first the start of sampling, last 0 (see {@link #grid})
     * @param pilots the pilot noise at {@code grid[0]}
     */
    public StepScheduleOptimizer(SamplerFactory factory, Denoiser denoiser, ExactFlow exact, Tensor pilots, double[] grid) {
        AlignYourSteps.checkDescendingToZero(grid);
        this.factory = factory;
        this.denoiser = denoiser;
        this.exact = exact;
        this.pilots = pilots;
        this.grid = grid.clone();
        this.trajectory = new Tensor[grid.length];
        trajectory[0] = pilots;
        for (int i = 1; i < grid.length; i++) {
            trajectory[i] = exact.solve(trajectory[i - 1], grid[i - 1], grid[i]);
        }
    }

    /**
     * A fine grid of {@code points} descending times from the last training step to 0: half evenly
     * spaced in t, half evenly spaced in log-SNR (dense where either family places steps).
     */
    public static double[] grid(DiscreteSchedule schedule, int points) {
        if (points < 4) {
            throw new InvalidParameterException("grid_points", points, "must be at least 4");
        }
        NoiseLevels levels = new NoiseLevels(schedule);
        double tMax = levels.last();
        int half = points / 2;
        TreeSet<Double> times = new TreeSet<>();
        double sMax = Math.log(levels.sigma(tMax));
        double sMin = Math.log(levels.sigma(0));
        for (int i = 0; i <= half; i++) {
            times.add(tMax * i / half);
            times.add(levels.time(Math.exp(sMin + (sMax - sMin) * i / half)));
        }
        // both halves contain 0 and the last step; drop near-duplicates, which only cost time
        double[] kept = new double[times.size()];
        int n = 0;
        for (double t : times.descendingSet()) {
            if (n == 0 || kept[n - 1] - t > 1e-3) {
                kept[n++] = t;
            }
        }
        kept[n - 1] = 0;
        return Arrays.copyOf(kept, n);
    }

    public double[] grid() {
        return grid.clone();
    }

    /** The pilot noise at {@code grid[0]}. */
    public Tensor pilots() {
        return pilots;
    }

    /**
     * The pilots' exact states at model time {@code t} (in {@code [0, grid[0]]}): the tabulated one
     * on a grid time, else the exact flow from the nearest grid time above (a short solve).
     */
    public Tensor exactState(double t) {
        if (!(t >= 0 && t <= grid[0])) {
            throw new InvalidParameterException("t", t, "must be in [0, " + grid[0] + "]");
        }
        int k = 0;
        while (k + 1 < grid.length && grid[k + 1] >= t) {
            k++;
        }
        return grid[k] == t ? trajectory[k] : exact.solve(trajectory[k], grid[k], t);
    }

    /** The pilots' exact end points (at t = 0), the model's own samples. */
    public Tensor exactEndpoints() {
        return trajectory[grid.length - 1];
    }

    /**
     * Mean absolute error of one sampler step from the exact state at {@code grid[i]} to
     * {@code grid[j]}: at {@code grid[j]} ({@code carried = false}, GITS), or carried by the exact
     * flow to t = 0 ({@code carried = true}), which weighs each jump's error by how much of it
     * survives to the end (the flow contracts errors made at high noise).
     */
    double jumpCost(int i, int j, boolean carried) {
        double[] t = j == grid.length - 1 ? new double[] {grid[i]} : new double[] {grid[i], grid[j]};
        try (SamplingRun run = factory.create(t).start(denoiser, trajectory[i], SampleOptions.defaults())) {
            run.step();
            if (Math.abs(run.time() - grid[j]) > 1e-6) {
                throw new IllegalStateException("sampler stepped from t=" + grid[i] + " to t=" + run.time() + ", expected " + grid[j]
                        + " (it must take the listed times and stop at t = 0)");
            }
            if (!carried || j == grid.length - 1) {
                return run.state().sub(trajectory[j]).abs().mean();
            }
            return exact.solve(run.state(), grid[j], 0).sub(trajectory[grid.length - 1]).abs().mean();
        }
    }

    /**
     * GITS: the {@code steps} model times (first {@code grid[0]}) of the least total one-step cost.
     *
     * @param progress told the number of grid rows whose costs are done
     */
    public double[] dynamicProgramming(int steps, boolean carried, IntConsumer progress) {
        return cheapestPath(jumpCosts(carried, progress), steps);
    }

    /**
     * The cost of every jump {@code grid[i] -> grid[j]}, {@code i < j} (the same for every number of
     * steps, so callers tuning several may compute it once).
     *
     * @param progress told the number of grid rows whose costs are done
     */
    public double[][] jumpCosts(boolean carried, IntConsumer progress) {
        int g = grid.length;
        double[][] cost = new double[g][g];
        for (int i = 0; i < g - 1; i++) {
            for (int j = i + 1; j < g; j++) {
                cost[i][j] = jumpCost(i, j, carried);
            }
            progress.accept(i + 1);
        }
        return cost;
    }

    /** The cheapest path of exactly {@code steps} jumps from grid point 0 to the last, as its start times. */
    public double[] cheapestPath(double[][] cost, int steps) {
        return cheapestPath(grid, cost, steps);
    }

    /**
     * The cheapest path of exactly {@code steps} jumps from {@code grid[0]} to its last time, as its
     * start times, when the jump {@code grid[i] -> grid[j]} costs {@code cost[i][j]}.
     */
    public static double[] cheapestPath(double[] grid, double[][] cost, int steps) {
        int g = grid.length;
        if (steps < 1 || steps > g - 1) {
            throw new InvalidParameterException("steps", steps, "must be in [1, " + (g - 1) + "] for a grid of " + g + " times");
        }
        double[][] best = new double[steps + 1][g];
        int[][] from = new int[steps + 1][g];
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int k = 1; k <= steps; k++) {
            for (int j = 1; j < g; j++) {
                for (int i = 0; i < j; i++) {
                    double c = best[k - 1][i] + cost[i][j];
                    if (c < best[k][j]) {
                        best[k][j] = c;
                        from[k][j] = i;
                    }
                }
            }
        }
        double[] t = new double[steps];
        int j = g - 1;
        for (int k = steps; k >= 1; k--) {
            j = from[k][j];
            t[k - 1] = grid[j];
        }
        return t;
    }

    /** The whole sampler's mean absolute endpoint error on the pilots with these times. */
    public double endpointError(double[] timesteps) {
        return endpointError(factory.create(timesteps), denoiser, pilots, trajectory[grid.length - 1]);
    }

    /** The name of the candidate schedule with the least pilot endpoint error (the first of equals, in the map's order). */
    public String leastError(Map<String, double[]> candidates) {
        String best = null;
        double bestError = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, double[]> e : candidates.entrySet()) {
            double error = endpointError(e.getValue());
            if (best == null || error < bestError) {
                best = e.getKey();
                bestError = error;
            }
        }
        return best;
    }

    /** The mean absolute error of {@code sampler} started on {@code noise} against {@code exactEnd}; infinite if NaN. */
    public static double endpointError(Sampler sampler, Denoiser denoiser, Tensor noise, Tensor exactEnd) {
        try (SamplingRun run = sampler.start(denoiser, noise, SampleOptions.defaults())) {
            while (!run.isDone()) {
                run.step();
            }
            double e = run.result().sub(exactEnd).abs().mean();
            return Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
        }
    }

    /**
     * Coordinate search on the interior times of {@code start} (the first stays fixed), each moved
     * a fraction of the way towards a neighbour, the fraction halved after each sweep; returns the
     * times of the least pilot endpoint error found.
     */
    public double[] descend(double[] start, int sweeps) {
        double[] t = start.clone();
        double error = endpointError(t);
        double fraction = 0.4;
        for (int s = 0; s < sweeps; s++) {
            for (int k = 1; k < t.length; k++) {
                double next = k + 1 < t.length ? t[k + 1] : 0;
                for (double target : new double[] {t[k - 1], next}) {
                    double[] trial = t.clone();
                    trial[k] = t[k] + fraction * (target - t[k]);
                    if (!(trial[k] < trial[k - 1] && trial[k] > next)) {
                        continue;
                    }
                    double e = endpointError(trial);
                    if (e < error) {
                        error = e;
                        t = trial;
                        break;
                    }
                }
            }
            fraction *= 0.5;
        }
        return t;
    }
}
