package org.ddpm4j.samplers.steps;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Align Your Steps (Sabour, Fidler and Kreis 2024): the step placement that minimizes the
 * Kullback-Leibler upper bound (KLUB) between the reverse SDE and its discretization that freezes
 * the denoiser over each step. With {@code sigma = sqrt((1 - alphaBar) / alphaBar)} and {@code D} the
 * model's data prediction, the step {@code sigma_i -> sigma_{i+1}} costs (up to a constant factor)
 *
 * <pre>  integral over [sigma_{i+1}, sigma_i] of  E || D(x0 + s eps, s) - D(x0 + sigma_i eps, sigma_i) ||^2 / s^3  ds</pre>
 *
 * estimated on given clean samples {@code x0} (for a trained model: its own samples) with one noise
 * draw {@code eps} per sample shared by both times, so the integrand vanishes at the step's start.
 * The integral is a trapezoid rule in log sigma on the candidate times refined by
 * {@code subdivisions} points per interval.
 *
 * <p>The paper minimizes the summed KLUB by coordinate-wise refinement of each time between its
 * neighbours (and subdivision to go from 10 to 20 steps). The KLUB is a sum of per-step terms that
 * depend only on the step's two ends, so here the exact minimum over the candidate times is found
 * instead, by the dynamic program of {@link StepScheduleOptimizer#cheapestPath(double[], double[][], int)}
 * on {@link #costs}: no local optimum, and no extra model evaluations per number of steps.
 */
public final class AlignYourSteps {
    private final double[] candidates;
    private final double[][] costs;

    /**
     * Evaluates the model at every quadrature time once (one batch each) and tabulates the KLUB of
     * every step between candidate times.
     *
     * @param samples clean samples {@code x0}, {@code [n, ...]}
     * @param noise standard normal noise shaped like {@code samples}
     * @param candidates descending model times, first the start of sampling, last 0
     * @param subdivisions quadrature points added inside each candidate interval (0 = none)
     * @param progress told the number of quadrature times evaluated so far
     */
    public AlignYourSteps(Denoiser model, DiscreteSchedule schedule, Tensor samples, Tensor noise, double[] candidates, int subdivisions,
            IntConsumer progress) {
        checkDescendingToZero(candidates);
        if (subdivisions < 0 || subdivisions > 64) {
            throw new InvalidParameterException("subdivisions", subdivisions, "must be in [0, 64]");
        }
        if (!Arrays.equals(samples.shape(), noise.shape())) {
            throw new InvalidParameterException("noise", Arrays.toString(noise.shape()), "must have the samples' shape " + Arrays.toString(samples.shape()));
        }
        NoiseLevels levels = new NoiseLevels(schedule);
        if (!(levels.sigma(0) > 0)) {
            throw new InvalidParameterException("schedule", schedule.name(), "has sigma = 0 at t = 0, where the KLUB diverges");
        }
        this.candidates = candidates.clone();
        // the quadrature times: every candidate, and subdivisions evenly spaced in log sigma inside each interval
        int fine = (candidates.length - 1) * (subdivisions + 1) + 1;
        double[] logSigma = new double[fine];
        double[] times = new double[fine];
        int[] position = new int[candidates.length];
        int k = 0;
        for (int c = 0; c < candidates.length; c++) {
            position[c] = k;
            double hi = Math.log(levels.sigma(candidates[c]));
            times[k] = candidates[c];
            logSigma[k++] = hi;
            if (c + 1 < candidates.length) {
                double lo = Math.log(levels.sigma(candidates[c + 1]));
                for (int s = 1; s <= subdivisions; s++) {
                    logSigma[k] = hi + (lo - hi) * s / (subdivisions + 1);
                    times[k++] = levels.time(Math.exp(logSigma[k - 1]));
                }
            }
        }
        Denoiser data = model.as(Parameterization.SAMPLE, schedule);
        double[][] predictions = new double[fine][];
        for (int f = 0; f < fine; f++) {
            Tensor x = samples.linear(schedule.signal(times[f]), noise, schedule.noise(times[f]));
            predictions[f] = data.predict(x, times[f], Condition.none()).toDoubleArray();
            progress.accept(f + 1);
        }
        int g = candidates.length;
        this.costs = new double[g][g];
        for (int i = 0; i < g - 1; i++) {
            int from = position[i];
            double[] integrand = new double[fine];
            for (int f = from; f < fine; f++) {
                integrand[f] = meanSquaredDistance(predictions[f], predictions[from]) * Math.exp(-2 * logSigma[f]);
            }
            double total = 0;
            int next = i + 1;
            for (int f = from; f < fine - 1; f++) {
                total += 0.5 * (integrand[f] + integrand[f + 1]) * (logSigma[f] - logSigma[f + 1]);
                if (f + 1 == position[next]) {
                    costs[i][next++] = total;
                }
            }
        }
    }

    private static double meanSquaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }

    static void checkDescendingToZero(double[] grid) {
        if (grid.length < 2 || grid[grid.length - 1] != 0) {
            throw new InvalidParameterException("grid", Arrays.toString(grid), "needs at least two descending times ending at 0");
        }
        for (int i = 1; i < grid.length; i++) {
            if (!(grid[i] < grid[i - 1])) {
                throw new InvalidParameterException("grid", Arrays.toString(grid), "must be strictly descending");
            }
        }
    }

    /** The estimated KLUB of the step {@code candidates[i] -> candidates[j]}, {@code i < j}. */
    public double cost(int i, int j) {
        return costs[i][j];
    }

    /** The {@code steps} model times (first the start) of the least summed KLUB over the candidates. */
    public double[] schedule(int steps) {
        return StepScheduleOptimizer.cheapestPath(candidates, costs, steps);
    }
}
