package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.samplers.steps.BespokeLeastSquares;
import org.ddpm4j.samplers.steps.BespokeOptimizer;
import org.ddpm4j.samplers.steps.DenseTrajectory;
import org.ddpm4j.samplers.steps.HandMadeSpacings;
import org.ddpm4j.samplers.steps.StepScheduleOptimizer;
import org.ddpm4j.testkit.GaussianDataDenoiser;
import org.junit.jupiter.api.Test;

/**
 * The least-squares fit of the bespoke coefficients: exact on Gaussian data, the same answer as an
 * independent least-squares solve through the sampler, never worse than its start on new noise of a
 * mixture, and bad input named.
 */
class BespokeLeastSquaresTest {

    private static BespokeOptimizer.SamplerFactory bespoke(Schedule s) {
        return (t, c) -> Mixtures.REGISTRY.createSampler("bespoke", s, Parameters.of("final_sigmas_type", "sigma_min",
                "timesteps", HandMadeSpacings.asList(t), "coefficients", HandMadeSpacings.asList(c)));
    }

    private static Tensor sample(Schedule s, Denoiser model, Tensor noise, double[] t, double[] c) {
        return bespoke(s).create(t, c).sample(model, noise, SampleOptions.defaults());
    }

    /** A search's setup: the reference flow, the pilots' exact states on a grid, the optimizer with its held-out samples. */
    private record Search(ProbabilityFlowOde ode, StepScheduleOptimizer exact, BespokeOptimizer optimizer) {
        static Search of(Schedule s, Denoiser model, Tensor pilots, Tensor heldOut, int gridPoints) {
            ProbabilityFlowOde ode = new ProbabilityFlowOde(s, 1e-9, 1e-9, ProbabilityFlowOde.Method.DOPRI8, 1_000_000);
            DiscreteSchedule discrete = (DiscreteSchedule) s;
            StepScheduleOptimizer exact = new StepScheduleOptimizer(t -> null, model, (x, from, to) -> ode.solve(model, x, from, to, Condition.none()),
                    pilots, StepScheduleOptimizer.grid(discrete, gridPoints));
            return new Search(ode, exact, new BespokeOptimizer(bespoke(s), model, discrete, pilots, exact.exactEndpoints(), heldOut,
                    ode.solve(model, heldOut, 999, 0, Condition.none())));
        }
    }

    /**
     * Gaussian data: the data prediction is a multiple of x, so each step can follow the exact flow
     * with its first correction alone; the fitted solver (run by the sampler) must reproduce the
     * closed-form endpoint to rounding, where DPM-Solver++(2M) on the same 4 steps is far off.
     */
    @Test
    void reproducesTheClosedFormEndpointOfGaussianData() {
        Schedule s = Mixtures.linear();
        GaussianDataDenoiser gaussian = new GaussianDataDenoiser(s, 0.5);
        Tensor pilots = Mixtures.noise(64, 41);
        Tensor fresh = Mixtures.noise(64, 42);
        double[] times = {999, 500, 150, 20};
        for (int history : new int[] {2, 3, 5}) {
            BespokeLeastSquares fit = new BespokeLeastSquares(bespoke(s), gaussian, pilots, t -> pilots.mul(gaussian.flow(999, t)), history, 1e-13, 0);
            double[] c = fit.fit(times).coefficients();
            assertEquals(BespokeSampler.coefficientCount(times.length, history), c.length);
            Tensor exact = fresh.mul(gaussian.flow(999, 0));
            double scale = exact.abs().mean();
            double fitted = sample(s, gaussian, fresh, times, c).sub(exact).abs().mean();
            double dpm = sample(s, gaussian, fresh, times, new double[c.length]).sub(exact).abs().mean();
            assertTrue(fitted < 1e-6 * scale, "history " + history + ": " + fitted + " (DPM-Solver++(2M) " + dpm + ")");
            assertTrue(dpm > 1e-3 * scale, "DPM-Solver++(2M) " + dpm);
        }
    }

    /**
     * One step from the noise to the endpoint is affine in its two corrections: the fit (ridge 0)
     * must equal the least-squares solution found independently, by QR on the sampler's own outputs
     * at three coefficient vectors.
     */
    @Test
    void aStepEqualsTheBruteForceLeastSquaresSolution() {
        Schedule s = Mixtures.linear();
        Denoiser model = Mixtures.denoiser(s);
        ProbabilityFlowOde ode = new ProbabilityFlowOde(s, 1e-9, 1e-9, ProbabilityFlowOde.Method.DOPRI8, 1_000_000);
        Tensor pilots = Mixtures.noise(200, 43);
        Tensor end = ode.solve(model, pilots, 400, 0, Condition.none());
        double[] times = {400};
        double[] c = new BespokeLeastSquares(bespoke(s), model, pilots, t -> end, 2, 0, 0).fit(times).coefficients();
        double[] y0 = sample(s, model, pilots, times, new double[] {0, 0}).toDoubleArray();
        double[] y1 = sample(s, model, pilots, times, new double[] {1, 0}).toDoubleArray();
        double[] y2 = sample(s, model, pilots, times, new double[] {0, 1}).toDoubleArray();
        double[] target = end.toDoubleArray();
        double[][] a = new double[y0.length][2];
        double[] b = new double[y0.length];
        for (int k = 0; k < y0.length; k++) {
            a[k][0] = y1[k] - y0[k];
            a[k][1] = y2[k] - y0[k];
            b[k] = target[k] - y0[k];
        }
        double[] brute = new QRDecomposition(new Array2DRowRealMatrix(a)).getSolver().solve(new ArrayRealVector(b)).toArray();
        assertArrayEquals(brute, c, 1e-5 * (Math.abs(brute[0]) + Math.abs(brute[1])));
        assertTrue(Math.abs(c[0]) + Math.abs(c[1]) > 1e-3, "the fit moved: " + c[0] + ", " + c[1]);
    }

    /**
     * The mixture: the fit (then a short search over the times) lowers the pilots' error, and the
     * solver chosen on held-out samples is not worse than its start on a third set of noise.
     */
    @Test
    void chosenFitIsNeverWorseThanItsStartOnNewNoise() {
        Schedule s = Mixtures.linear();
        Denoiser model = Mixtures.denoiser(s);
        Tensor pilots = Mixtures.noise(128, 51);
        Search search = Search.of(s, model, pilots, Mixtures.noise(128, 52), 20);
        BespokeOptimizer optimizer = search.optimizer();
        DiscreteSchedule discrete = (DiscreteSchedule) s;
        Tensor fresh = Mixtures.noise(256, 53);
        Tensor freshEnd = search.ode().solve(model, fresh, 999, 0, Condition.none());
        for (int history : new int[] {3, 4}) {
            BespokeLeastSquares fit = new BespokeLeastSquares(bespoke(s), model, pilots, search.exact()::exactState, history, 1e-4, 0);
            for (int steps : new int[] {4, 6}) {
                double[] start = HandMadeSpacings.all(discrete, steps).get("quadratic");
                BespokeOptimizer.Result r = optimizer.fitted(optimizer.starts("quadratic", start).get(0).solver(), fit, 60, 0);
                assertTrue(r.learnedPilot() < 0.7 * r.startPilot(), steps + " steps: pilots " + r.learnedPilot() + " vs start " + r.startPilot());
                assertTrue(r.stages().get(0).pilotError() < r.startPilot(), "least squares alone: " + r.stages());
                BespokeOptimizer.Solver chosen = r.chosen();
                double before = sample(s, model, fresh, start, new double[BespokeSampler.coefficientCount(steps)]).sub(freshEnd).abs().mean();
                double after = sample(s, model, fresh, chosen.timesteps(), chosen.coefficients()).sub(freshEnd).abs().mean();
                assertTrue(after <= before, steps + " steps, history " + history + ": " + after + " > " + before);
            }
        }
    }

    /**
     * The search over the times with its global phase (CMA-ES after BOBYQA, then BOBYQA again) against BOBYQA
     * alone, with the same budget on the same pilots, on narrow well separated modes (where the error over the
     * times has many basins): the local search stops in a basin near its start (886 of the 1500 runs), the
     * global phase must find a clearly lower pilot error with the rest (measured: 20 % lower).
     */
    @Test
    void globalSearchOverTheTimesBeatsTheLocalOneAlone() {
        Schedule s = Mixtures.linear();
        Denoiser model = new GaussianMixtureDenoiser(new GaussianMixture(new double[] {0.4, 0.3, 0.2, 0.1},
                new double[][] {{-3, 2}, {2.5, -1.5}, {0.3, -3}, {3, 3}}, new double[] {0.08, 0.12, 0.1, 0.15}), s, false);
        Tensor pilots = Mixtures.noise(96, 61);
        Search search = Search.of(s, model, pilots, Mixtures.noise(16, 62), 40);
        BespokeOptimizer optimizer = search.optimizer();
        DiscreteSchedule discrete = (DiscreteSchedule) s;
        BespokeLeastSquares fit = new BespokeLeastSquares(bespoke(s), model, pilots, new DenseTrajectory(search.exact(), model, discrete), 4, 1e-4, 0);
        BespokeOptimizer.Solver start = optimizer.starts("quadratic", HandMadeSpacings.all(discrete, 8).get("quadratic")).get(0).solver();
        BespokeOptimizer.Result local = optimizer.fitted(start, fit, 1500, 0, 0);
        BespokeOptimizer.Result global = optimizer.fitted(start, fit, 1500, BespokeOptimizer.GLOBAL_SHARE, 0);
        assertTrue(global.learnedPilot() < 0.9 * local.learnedPilot(), "global " + global.stages() + ", local " + local.stages());
        assertThrows(InvalidParameterException.class, () -> optimizer.fitted(start, fit, 1500, 1.5, 0));
    }

    /**
     * The interpolated exact states: the tabulated ones on grid times, and close to the solved ones
     * between them (fourth order: a grid twice as fine must cut the midpoint deviation several-fold).
     */
    @Test
    void interpolatedStatesFollowTheSolvedFlow() {
        Schedule s = Mixtures.linear();
        Denoiser model = Mixtures.denoiser(s);
        ProbabilityFlowOde ode = new ProbabilityFlowOde(s, 1e-10, 1e-10, ProbabilityFlowOde.Method.DOPRI8, 1_000_000);
        Tensor pilots = Mixtures.noise(64, 61);
        double[] deviations = new double[2];
        for (int k = 0; k < 2; k++) {
            StepScheduleOptimizer exact = new StepScheduleOptimizer(t -> null, model, (x, from, to) -> ode.solve(model, x, from, to,
                    Condition.none()), pilots, StepScheduleOptimizer.grid((DiscreteSchedule) s, 40 << k));
            DenseTrajectory dense = new DenseTrajectory(exact, model, (DiscreteSchedule) s);
            double[] grid = exact.grid();
            assertEquals(0, dense.at(grid[3]).sub(exact.exactState(grid[3])).abs().mean(), 0);
            assertEquals(0, dense.at(0).sub(exact.exactEndpoints()).abs().mean(), 0);
            deviations[k] = dense.deviation();
            double t = 0.3 * grid[5] + 0.7 * grid[6];
            assertTrue(dense.at(t).sub(exact.exactState(t)).abs().mean() <= 1.5 * deviations[k] + 1e-9);
        }
        double scale = pilots.abs().mean();
        assertTrue(deviations[1] < 1e-4 * scale, "deviation " + deviations[1]);
        assertTrue(deviations[1] < deviations[0] / 4, "40 points " + deviations[0] + ", 80 points " + deviations[1]);
    }

    /** Coefficients for a longer history load, zero is still DPM-Solver++(2M); wrong counts and settings are named. */
    @Test
    void longerHistoriesLoadAndBadInputIsNamed() {
        Schedule s = Mixtures.linear();
        Denoiser model = Mixtures.denoiser(s);
        Tensor noise = Mixtures.noise(32, 4);
        double[] t = HandMadeSpacings.all((DiscreteSchedule) s, 6).get("quadratic");
        Tensor three = sample(s, model, noise, t, new double[BespokeSampler.coefficientCount(6)]);
        Tensor five = sample(s, model, noise, t, new double[BespokeSampler.coefficientCount(6, 5)]);
        assertEquals(0, three.sub(five).abs().mean(), 1e-12);
        assertEquals(5, ((BespokeSampler) bespoke(s).create(t, new double[BespokeSampler.coefficientCount(6, 5)])).history());
        assertEquals(3, ((BespokeSampler) bespoke(s).create(t, new double[BespokeSampler.coefficientCount(6)])).history());
        InvalidParameterException count = assertThrows(InvalidParameterException.class, () -> Mixtures.REGISTRY.createSampler("bespoke", s,
                Parameters.of("steps", 4, "coefficients", List.of(0.0, 0.0, 0.0))));
        assertTrue(count.getMessage().contains("coefficients") && count.getMessage().contains("must be 13 numbers for 4 steps")
                && count.getMessage().contains("11 (H = 2)") && count.getMessage().contains("14 (H = 4)"), count.getMessage());
        Tensor pilots = Mixtures.noise(8, 1);
        InvalidParameterException history = assertThrows(InvalidParameterException.class,
                () -> new BespokeLeastSquares(bespoke(s), model, pilots, x -> pilots, 1, 0, 0));
        assertTrue(history.getMessage().contains("history") && history.getMessage().contains("at least 2"), history.getMessage());
        InvalidParameterException ridge = assertThrows(InvalidParameterException.class,
                () -> new BespokeLeastSquares(bespoke(s), model, pilots, x -> pilots, 3, -1, 0));
        assertTrue(ridge.getMessage().contains("ridge"), ridge.getMessage());
        BespokeLeastSquares notBespoke = new BespokeLeastSquares((times, c) -> Mixtures.REGISTRY.createSampler("ddim", s, Parameters.of("steps", 2)),
                model, pilots, x -> pilots, 3, 0, 0);
        InvalidParameterException factory = assertThrows(InvalidParameterException.class, () -> notBespoke.fit(new double[] {999, 500}));
        assertTrue(factory.getMessage().contains("factory") && factory.getMessage().contains("bespoke"), factory.getMessage());
        BespokeLeastSquares fit = new BespokeLeastSquares(bespoke(s), model, pilots, x -> pilots, 3, 0, 0);
        InvalidParameterException times = assertThrows(InvalidParameterException.class, () -> fit.fit(new double[] {999, 999}));
        assertTrue(times.getMessage().contains("times") && times.getMessage().contains("descending"), times.getMessage());
    }
}
