package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.samplers.steps.HandMadeSpacings;
import org.ddpm4j.samplers.steps.StepScheduleOptimizer;
import org.ddpm4j.testkit.GaussianDataDenoiser;
import org.junit.jupiter.api.Test;

class StepScheduleOptimizerTest {

    private static StepScheduleOptimizer.SamplerFactory sampler(Schedule s, String name, int order) {
        return t -> Mixtures.REGISTRY.createSampler(name, s, Parameters.of("solver_order", order, "final_sigmas_type", "sigma_min",
                "timesteps", HandMadeSpacings.asList(t)));
    }

    /**
     * Gaussian data, where both the exact flow ({@code x_t / m_t} constant) and one DDIM step
     * ({@code x_u = (alpha_u alpha_t s^2 + sigma_u sigma_t) / m_t^2 x_t}) are closed forms: the
     * dynamic program must return the path that brute force over all paths finds cheapest.
     */
    @Test
    void dynamicProgrammingFindsTheBruteForceOptimumOnGaussianData() {
        Schedule s = Mixtures.linear();
        double std = 0.5;
        GaussianDataDenoiser gaussian = new GaussianDataDenoiser(s, std);
        double[] grid = {999, 850, 700, 560, 430, 320, 220, 140, 80, 35, 10, 0};
        Tensor pilots = Mixtures.noise(16, 3);
        StepScheduleOptimizer optimizer = new StepScheduleOptimizer(sampler(s, "dpmsolver-multistep", 1), gaussian,
                (x, from, to) -> x.mul(gaussian.flow(from, to)), pilots, grid);
        double meanAbs = pilots.abs().mean();
        double[][] cost = new double[grid.length][grid.length];
        for (int i = 0; i < grid.length; i++) {
            for (int j = i + 1; j < grid.length; j++) {
                double t = grid[i];
                double u = grid[j];
                double m2 = Math.pow(gaussian.marginalStd(t), 2);
                double ddim = (s.signal(u) * s.signal(t) * std * std + s.noise(u) * s.noise(t)) / m2;
                cost[i][j] = meanAbs * gaussian.flow(grid[0], t) * Math.abs(ddim - gaussian.flow(t, u));
            }
        }
        int steps = 4;
        double bestCost = Double.POSITIVE_INFINITY;
        double[] best = null;
        int last = grid.length - 1;
        for (int a = 1; a < last; a++) {
            for (int b = a + 1; b < last; b++) {
                for (int c = b + 1; c < last; c++) {
                    double total = cost[0][a] + cost[a][b] + cost[b][c] + cost[c][last];
                    if (total < bestCost) {
                        bestCost = total;
                        best = new double[] {grid[0], grid[a], grid[b], grid[c]};
                    }
                }
            }
        }
        double[] found = optimizer.dynamicProgramming(steps, false, row -> { });
        assertArrayEquals(best, found, 0, "brute force " + java.util.Arrays.toString(best));
        // the cheapest path is not a trivial one (e.g. the first or last grid points)
        assertTrue(found[1] < 850 && found[3] > 10, java.util.Arrays.toString(found));
    }

    /** Each hand-made start on the mixture: descent from it never ends worse, on the pilots nor on held-out noise. */
    @Test
    void optimizedScheduleIsNeverWorseThanItsStartOnTheMixture() {
        Schedule s = Mixtures.linear();
        GaussianMixtureDenoiser model = Mixtures.denoiser(s);
        ProbabilityFlowOde ode = new ProbabilityFlowOde(s, 1e-9, 1e-9, ProbabilityFlowOde.Method.DOPRI8, 1_000_000);
        StepScheduleOptimizer.ExactFlow exact = (x, from, to) -> ode.solve(model, x, from, to, Condition.none());
        StepScheduleOptimizer.SamplerFactory unipc = sampler(s, "unipc", 2);
        double[] grid = StepScheduleOptimizer.grid((DiscreteSchedule) s, 24);
        assertEquals(999, grid[0]);
        assertEquals(0, grid[grid.length - 1]);
        for (int i = 1; i < grid.length; i++) {
            assertTrue(grid[i] < grid[i - 1] - 1e-3, java.util.Arrays.toString(grid));
        }
        StepScheduleOptimizer pilots = new StepScheduleOptimizer(unipc, model, exact, Mixtures.noise(32, 11), grid);
        StepScheduleOptimizer heldOut = new StepScheduleOptimizer(unipc, model, exact, Mixtures.noise(128, 12), new double[] {999, 0});
        Map<String, double[]> starts = HandMadeSpacings.all((DiscreteSchedule) s, 5);
        double[] gits = pilots.dynamicProgramming(5, true, row -> { });
        assertEquals(5, gits.length);
        assertEquals(999, gits[0]);
        starts.put("gits", gits);
        String least = pilots.leastError(starts);
        for (double[] other : starts.values()) {
            assertTrue(pilots.endpointError(starts.get(least)) <= pilots.endpointError(other), least);
        }
        for (Map.Entry<String, double[]> e : starts.entrySet()) {
            double[] tuned = pilots.descend(e.getValue(), 3);
            assertTrue(pilots.endpointError(tuned) <= pilots.endpointError(e.getValue()), e.getKey());
            double before = heldOut.endpointError(e.getValue());
            double after = heldOut.endpointError(tuned);
            assertTrue(after <= before, e.getKey() + ": " + after + " > " + before);
        }
    }
}
