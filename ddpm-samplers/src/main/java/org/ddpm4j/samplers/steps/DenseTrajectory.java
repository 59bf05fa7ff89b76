package org.ddpm4j.samplers.steps;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The pilots' exact states at any time, from their flow tabulated on a grid ({@link StepScheduleOptimizer}),
 * without solving again: cubic Hermite interpolation between grid times in the variance-exploding form
 * of the probability flow, {@code y = x / alpha} against {@code u = log sigma}, whose derivative
 * {@code dy/du = y - D(x, t)} is the model's own data prediction. One model evaluation per grid time,
 * none per query: the least-squares fit asks for the states at every step time of every point of a
 * search over the times, and solving each from the grid (as {@link StepScheduleOptimizer#exactState})
 * took most of a 64-D run. The interpolation error is fourth order in the grid spacing;
 * {@link #deviation} measures it against the solved states.
 */
public final class DenseTrajectory implements BespokeLeastSquares.ExactStates {
    private final StepScheduleOptimizer tabulated;
    private final NoiseLevels levels;
    private final double[] grid;
    private final double[] u;
    private final Tensor[] y;
    private final Tensor[] slope;

    public DenseTrajectory(StepScheduleOptimizer tabulated, Denoiser denoiser, DiscreteSchedule schedule) {
        this.tabulated = tabulated;
        this.levels = new NoiseLevels(schedule);
        this.grid = tabulated.grid();
        Denoiser data = denoiser.as(Parameterization.SAMPLE, schedule);
        int n = grid.length;
        u = new double[n];
        y = new Tensor[n];
        slope = new Tensor[n];
        for (int k = 0; k < n; k++) {
            double sigma = levels.sigma(grid[k]);
            u[k] = Math.log(sigma);
            Tensor x = tabulated.exactState(grid[k]);
            y[k] = x.mul(Math.sqrt(1 + sigma * sigma));
            slope[k] = y[k].sub(data.predict(x, grid[k], Condition.none()));
        }
    }

    @Override
    public Tensor at(double t) {
        if (!(t >= 0 && t <= grid[0])) {
            throw new InvalidParameterException("t", t, "must be in [0, " + grid[0] + "]");
        }
        int k = 0;
        while (k + 1 < grid.length && grid[k + 1] >= t) {
            k++;
        }
        double sigma = levels.sigma(t);
        if (grid[k] == t || k + 1 == grid.length) {
            return tabulated.exactState(grid[k]);
        }
        double h = u[k + 1] - u[k];
        double s = (Math.log(sigma) - u[k]) / h;
        double s2 = s * s;
        double s3 = s2 * s;
        Tensor v = y[k].mul(2 * s3 - 3 * s2 + 1).linear(1, slope[k], h * (s3 - 2 * s2 + s)).linear(1, y[k + 1], -2 * s3 + 3 * s2)
                .linear(1, slope[k + 1], h * (s3 - s2));
        return v.mul(1 / Math.sqrt(1 + sigma * sigma));
    }

    /** The largest mean absolute difference between {@link #at} and the solved state, at the midpoints (in log sigma) of the grid's intervals. */
    public double deviation() {
        double worst = 0;
        for (int k = 0; k + 1 < grid.length; k++) {
            double t = levels.time(Math.exp(0.5 * (u[k] + u[k + 1])));
            if (t < grid[k] && t > grid[k + 1]) {
                worst = Math.max(worst, at(t).sub(tabulated.exactState(t)).abs().mean());
            }
        }
        return worst;
    }
}
