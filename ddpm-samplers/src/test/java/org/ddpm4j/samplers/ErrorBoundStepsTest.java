package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.math3.analysis.integration.IterativeLegendreGaussIntegrator;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.samplers.steps.ErrorBoundSteps;
import org.ddpm4j.samplers.steps.ErrorBoundSteps.Solver;
import org.ddpm4j.samplers.steps.StepScheduleOptimizer;
import org.junit.jupiter.api.Test;

class ErrorBoundStepsTest {
    private static final DiscreteSchedule SCHEDULE = (DiscreteSchedule) Mixtures.linear();

    private static double lambda(Schedule s, double t) {
        return Math.log(s.signal(t) / s.noise(t));
    }

    /**
     * The nodes each step interpolates, restated from the samplers (diffusers' defaults): DPM-Solver++
     * lowers the last two steps' orders below 15 steps, UniPC's predictor lowers its order near the
     * end and its corrector adds the step's end point except on the last step.
     */
    private static double[] nodes(Solver solver, int order, double[] l, int i) {
        int steps = l.length - 1;
        int m = Math.min(order, i + 1);
        if (solver == Solver.DPM_SOLVER_PP && steps < 15) {
            m = i == steps - 1 ? 1 : i == steps - 2 ? Math.min(m, 2) : m;
        }
        if (solver == Solver.UNIPC) {
            m = Math.min(m, steps - i);
        }
        boolean corrected = solver == Solver.UNIPC && i < steps - 1;
        double[] n = new double[m + (corrected ? 1 : 0)];
        for (int k = 0; k < m; k++) {
            n[k] = l[i - k];
        }
        if (corrected) {
            n[m] = l[i + 1];
        }
        return n;
    }

    /** The Lagrange interpolant of {@code f} through {@code nodes}, at {@code x}. */
    private static double interpolant(java.util.function.DoubleUnaryOperator f, double[] nodes, double x) {
        double sum = 0;
        for (int j = 0; j < nodes.length; j++) {
            double basis = 1;
            for (int k = 0; k < nodes.length; k++) {
                if (k != j) {
                    basis *= (x - nodes[k]) / (nodes[j] - nodes[k]);
                }
            }
            sum += f.applyAsDouble(nodes[j]) * basis;
        }
        return sum;
    }

    /**
     * Each step's term is the exponential integrator's error when the data prediction is a
     * polynomial of degree m (the node count) with m-th derivative 1, so the remainder's derivative
     * really is constant: sigma_{i+1} * integral of e^l (D(l) - interpolant of D through the nodes),
     * integrated numerically, against the closed form.
     */
    @Test
    void eachStepsTermIsTheQuadratureOfTheInterpolationRemainder() {
        double[] times = {999, 640, 380, 210, 95, 30, 6};
        double[] l = new double[times.length + 1];
        for (int i = 0; i < times.length; i++) {
            l[i] = lambda(SCHEDULE, times[i]);
        }
        l[times.length] = lambda(SCHEDULE, 0);
        IterativeLegendreGaussIntegrator quadrature = new IterativeLegendreGaussIntegrator(8, 1e-12, 1e-14);
        for (Solver solver : Solver.values()) {
            for (int order = 1; order <= 3; order++) {
                double[] terms = new ErrorBoundSteps(SCHEDULE, solver, order).localErrors(times);
                for (int i = 0; i < times.length; i++) {
                    double[] n = nodes(solver, order, l, i);
                    int m = n.length;
                    double factorial = 1;
                    for (int k = 2; k <= m; k++) {
                        factorial *= k;
                    }
                    double mFactorial = factorial;
                    // D(l) = l^m / m! + lower terms: D^(m) = 1
                    java.util.function.DoubleUnaryOperator data = x -> Math.pow(x, m) / mFactorial + 0.7 * Math.pow(x, m - 1) - (m >= 2 ? 2 * Math.pow(x, m - 2) : 0) + 3;
                    double integral = quadrature.integrate(100_000,
                            x -> Math.exp(x) * (data.applyAsDouble(x) - interpolant(data, n, x)), l[i], l[i + 1]);
                    double expected = SCHEDULE.noise(i + 1 < times.length ? times[i + 1] : 0) * integral;
                    assertEquals(expected, terms[i], 1e-7 * Math.abs(expected) + 1e-15, solver + " order " + order + " step " + i);
                }
            }
        }
    }

    /** The carried weight for data of standard deviation s: the ratio of x_t's spreads at t = 0 and at the step's end. */
    @Test
    void carriedTermsAreWeightedByTheGaussianFlowsSpread() {
        double[] times = {999, 300, 40};
        double s = 0.5;
        ErrorBoundSteps plain = new ErrorBoundSteps(SCHEDULE, Solver.DPM_SOLVER_PP, 2);
        double[] a = plain.localErrors(times);
        double[] b = plain.carried(s).localErrors(times);
        double[] ends = {300, 40, 0};
        for (int i = 0; i < times.length; i++) {
            double at = Math.sqrt(SCHEDULE.alphaBar(ends[i]) * s * s + 1 - SCHEDULE.alphaBar(ends[i]));
            double at0 = Math.sqrt(SCHEDULE.alphaBar(0.0) * s * s + 1 - SCHEDULE.alphaBar(0.0));
            assertEquals(a[i] * at0 / at, b[i], 1e-12 * Math.abs(b[i]));
        }
    }

    /** Brute force over a fine grid of times reaches no lower bound than the optimizer, and not much higher. */
    @Test
    void reachesTheBruteForceMinimumOfItsBound() {
        double[] grid3 = interior(StepScheduleOptimizer.grid(SCHEDULE, 240));
        double[] grid4 = interior(StepScheduleOptimizer.grid(SCHEDULE, 70));
        for (Solver solver : Solver.values()) {
            for (int order : new int[] {1, 2, 3}) {
                for (ErrorBoundSteps bound : new ErrorBoundSteps[] {new ErrorBoundSteps(SCHEDULE, solver, order),
                        new ErrorBoundSteps(SCHEDULE, solver, order).carried(0.5)}) {
                    double brute3 = Double.POSITIVE_INFINITY;
                    for (int a = 0; a < grid3.length; a++) {
                        for (int b = a + 1; b < grid3.length; b++) {
                            brute3 = Math.min(brute3, bound.bound(new double[] {999, grid3[a], grid3[b]}));
                        }
                    }
                    double found3 = bound.bound(bound.schedule(3));
                    String what = solver + " order " + order;
                    assertTrue(found3 <= brute3 * (1 + 1e-9), what + ": 3 steps " + found3 + " > brute force " + brute3);
                    assertTrue(found3 >= brute3 * 0.95, what + ": 3 steps " + found3 + " far below a fine grid's " + brute3);
                    double brute4 = Double.POSITIVE_INFINITY;
                    for (int a = 0; a < grid4.length; a++) {
                        for (int b = a + 1; b < grid4.length; b++) {
                            for (int c = b + 1; c < grid4.length; c++) {
                                brute4 = Math.min(brute4, bound.bound(new double[] {999, grid4[a], grid4[b], grid4[c]}));
                            }
                        }
                    }
                    double found4 = bound.bound(bound.schedule(4));
                    assertTrue(found4 <= brute4 * (1 + 1e-9), what + ": 4 steps " + found4 + " > brute force " + brute4);
                }
            }
        }
    }

    private static double[] interior(double[] grid) {
        return Arrays.copyOfRange(grid, 1, grid.length - 1);
    }

    /** Moving any interior time of the optimum by 1% either way raises the bound (a minimum, not a stall). */
    @Test
    void theScheduleIsALocalMinimum() {
        ErrorBoundSteps bound = new ErrorBoundSteps(SCHEDULE, Solver.UNIPC, 2);
        double[] t = bound.schedule(10);
        double best = bound.bound(t);
        for (int i = 1; i < t.length; i++) {
            for (double f : new double[] {0.99, 1.01}) {
                double[] moved = t.clone();
                moved[i] *= f;
                if (moved[i] < moved[i - 1] && (i + 1 == t.length || moved[i] > moved[i + 1])) {
                    assertTrue(bound.bound(moved) > best, "time " + i + " x" + f);
                }
            }
        }
    }

    @Test
    void timesAreDescendingWithinTheSchedule() {
        for (Solver solver : Solver.values()) {
            for (int order = 1; order <= 3; order++) {
                for (int steps : new int[] {1, 2, 3, 5, 10, order == 2 ? 20 : 4}) {
                    for (ErrorBoundSteps bound : new ErrorBoundSteps[] {new ErrorBoundSteps(SCHEDULE, solver, order),
                            new ErrorBoundSteps(SCHEDULE, solver, order).carried(1)}) {
                        double[] t = bound.schedule(steps);
                        assertEquals(steps, t.length);
                        assertEquals(999, t[0]);
                        for (int i = 1; i < steps; i++) {
                            assertTrue(t[i] < t[i - 1] && t[i] > 0, solver + " " + order + " " + steps + ": " + Arrays.toString(t));
                        }
                    }
                }
            }
        }
    }

    @Test
    void badInputIsNamed() {
        assertEquals("solver_order", assertThrows(InvalidParameterException.class,
                () -> new ErrorBoundSteps(SCHEDULE, Solver.UNIPC, 0)).parameter());
        assertEquals("solver_order", assertThrows(InvalidParameterException.class,
                () -> new ErrorBoundSteps(SCHEDULE, Solver.DPM_SOLVER_PP, 4)).parameter());
        assertEquals("sampler", assertThrows(InvalidParameterException.class, () -> Solver.of("ddim")).parameter());
        ErrorBoundSteps bound = new ErrorBoundSteps(SCHEDULE, Solver.IPNDM, 4);
        assertEquals("steps", assertThrows(InvalidParameterException.class, () -> bound.schedule(0)).parameter());
        assertEquals("timesteps", assertThrows(InvalidParameterException.class, () -> bound.bound(new double[] {999, 500, 600})).parameter());
        assertEquals("timesteps", assertThrows(InvalidParameterException.class, () -> bound.bound(new double[] {999, 0})).parameter());
        assertEquals("timesteps", assertThrows(InvalidParameterException.class, () -> bound.bound(new double[] {1200, 10})).parameter());
        assertEquals("data_std", assertThrows(InvalidParameterException.class, () -> bound.carried(-1)).parameter());
    }
}
