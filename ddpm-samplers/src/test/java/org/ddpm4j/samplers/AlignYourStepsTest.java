package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.samplers.steps.AlignYourSteps;
import org.ddpm4j.testkit.GaussianDataDenoiser;
import org.junit.jupiter.api.Test;

class AlignYourStepsTest {
    private static final double STD = 0.5;
    private static final double[] GRID = {999, 600, 400, 260, 170, 110, 70, 45, 28, 16, 8, 3, 0};

    private static double sigma(Schedule s, double t) {
        return s.noise(t) / s.signal(t);
    }

    /**
     * The exact KLUB of a step for data N(0, s^2) per coordinate: D(x0 + r eps, r) = c(r) (x0 + r eps)
     * with c(r) = s^2 / (s^2 + r^2), so E|D(r) - D(r_i)|^2 = (c - c_i)^2 s^2 + (c r - c_i r_i)^2, integrated
     * against dr / r^3 (Simpson's rule in log r, fine).
     */
    private static double exactCost(Schedule s, double from, double to) {
        double ri = sigma(s, from);
        double ci = STD * STD / (STD * STD + ri * ri);
        double a = Math.log(ri);
        double b = Math.log(sigma(s, to));
        int n = 4000;
        double h = (b - a) / n;
        double sum = 0;
        for (int k = 0; k <= n; k++) {
            double r = Math.exp(a + k * h);
            double c = STD * STD / (STD * STD + r * r);
            double g = (c - ci) * (c - ci) * STD * STD + Math.pow(c * r - ci * ri, 2);
            sum += (k == 0 || k == n ? 1 : k % 2 == 1 ? 4 : 2) * g / (r * r);
        }
        return -sum * h / 3;
    }

    /** On Gaussian data, where the KLUB is closed form: each step's estimate is close, and the schedule is the exact optimum's. */
    @Test
    void recoversTheExactKlubOptimumOnGaussianData() {
        Schedule s = Mixtures.linear();
        GaussianDataDenoiser gaussian = new GaussianDataDenoiser(s, STD);
        Tensor samples = Mixtures.noise(2048, 5).mul(STD);
        AlignYourSteps ays = new AlignYourSteps(gaussian, (DiscreteSchedule) s, samples, Mixtures.noise(2048, 6), GRID, 16, f -> { });
        int g = GRID.length;
        double[][] exact = new double[g][g];
        for (int i = 0; i < g; i++) {
            for (int j = i + 1; j < g; j++) {
                exact[i][j] = exactCost(s, GRID[i], GRID[j]);
                assertEquals(exact[i][j], ays.cost(i, j), 0.1 * exact[i][j], "step " + GRID[i] + " -> " + GRID[j]);
            }
        }
        int last = g - 1;
        double bestCost = Double.POSITIVE_INFINITY;
        double[] best = null;
        for (int a = 1; a < last; a++) {
            for (int b = a + 1; b < last; b++) {
                for (int c = b + 1; c < last; c++) {
                    double total = exact[0][a] + exact[a][b] + exact[b][c] + exact[c][last];
                    if (total < bestCost) {
                        bestCost = total;
                        best = new double[] {GRID[0], GRID[a], GRID[b], GRID[c]};
                    }
                }
            }
        }
        double[] found = ays.schedule(4);
        double foundCost = 0;
        for (int k = 0; k < found.length; k++) {
            int i = indexOf(found[k]);
            int j = k + 1 < found.length ? indexOf(found[k + 1]) : last;
            foundCost += exact[i][j];
        }
        assertTrue(foundCost <= 1.02 * bestCost, Arrays.toString(found) + " costs " + foundCost + ", optimum " + Arrays.toString(best) + " " + bestCost);
        // a non-trivial optimum: the second time is neither the second candidate nor among the last three
        assertTrue(best[1] < GRID[1] && best[1] > GRID[last - 3], Arrays.toString(best));
    }

    private static int indexOf(double t) {
        for (int i = 0; i < GRID.length; i++) {
            if (GRID[i] == t) {
                return i;
            }
        }
        throw new AssertionError(t + " is not a grid time");
    }

    @Test
    void rejectsBadCandidatesAndNoiseShape() {
        Schedule s = Mixtures.linear();
        GaussianDataDenoiser gaussian = new GaussianDataDenoiser(s, STD);
        Tensor x = Mixtures.noise(4, 1);
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> new AlignYourSteps(gaussian, (DiscreteSchedule) s, x, x, new double[] {999, 500}, 2, f -> { }));
        assertTrue(e.getMessage().contains("grid"), e.getMessage());
        assertThrows(InvalidParameterException.class,
                () -> new AlignYourSteps(gaussian, (DiscreteSchedule) s, x, Mixtures.noise(5, 1), GRID, 2, f -> { }));
        assertThrows(InvalidParameterException.class, () -> new AlignYourSteps(gaussian, (DiscreteSchedule) s, x, x, GRID, -1, f -> { }));
    }
}
