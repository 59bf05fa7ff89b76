package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.samplers.steps.BespokeOptimizer;
import org.ddpm4j.samplers.steps.HandMadeSpacings;
import org.ddpm4j.samplers.steps.StepScheduleOptimizer;
import org.ddpm4j.testkit.GaussianDataDenoiser;
import org.junit.jupiter.api.Test;

/**
 * The bespoke solver: with zero coefficients it is DPM-Solver++(2M); its optimizer fits the exact
 * flow of Gaussian data, and on the mixture the solver it returns is never worse than its start on
 * noise it never saw.
 */
class BespokeSamplerTest {

    private static List<Double> list(double[] c) {
        return HandMadeSpacings.asList(c);
    }

    private static BespokeOptimizer.SamplerFactory bespoke(Schedule s) {
        return (t, c) -> Mixtures.REGISTRY.createSampler("bespoke", s, Parameters.of("final_sigmas_type", "sigma_min",
                "timesteps", HandMadeSpacings.asList(t), "coefficients", list(c)));
    }

    private static double error(Schedule s, Denoiser model, Tensor noise, Tensor end, String name, Object... keysAndValues) {
        return StepScheduleOptimizer.endpointError(Mixtures.REGISTRY.createSampler(name, s, Parameters.of(keysAndValues)), model, noise, end);
    }

    @Test
    void zeroCoefficientsAreDpmSolverPlusPlus2m() {
        Schedule s = Mixtures.linear();
        Denoiser model = Mixtures.denoiser(s);
        Tensor noise = Mixtures.noise(32, 4);
        Object[] common = {"final_sigmas_type", "sigma_min", "timestep_spacing", "quadratic", "steps", 7};
        Tensor end = Mixtures.REGISTRY.createSampler("dpmsolver-multistep", s, Parameters.of("solver_order", 2, "lower_order_final", false,
                "final_sigmas_type", "sigma_min", "timestep_spacing", "quadratic", "steps", 7))
                .sample(model, noise, org.ddpm4j.api.sampling.SampleOptions.defaults());
        assertEquals(0, error(s, model, noise, end, "bespoke", common), 1e-12);
        double[] zeros = new double[BespokeSampler.coefficientCount(7)];
        assertEquals(0, error(s, model, noise, end, "bespoke", "final_sigmas_type", "sigma_min", "timestep_spacing", "quadratic", "steps", 7,
                "coefficients", list(zeros)), 1e-12);
        // the second start is DPM-Solver++(2M) with diffusers' lower_order_final (first-order last step)
        double[] quadratic = HandMadeSpacings.all((DiscreteSchedule) s, 7).get("quadratic");
        BespokeOptimizer.Solver lowerFinal = new BespokeOptimizer(bespoke(s), model, (DiscreteSchedule) s, noise, end, noise, end)
                .starts("quadratic", quadratic).get(1).solver();
        Tensor dpmLowerFinal = Mixtures.REGISTRY.createSampler("dpmsolver-multistep", s, Parameters.of("solver_order", 2,
                "final_sigmas_type", "sigma_min", "timesteps", HandMadeSpacings.asList(quadratic)))
                .sample(model, noise, org.ddpm4j.api.sampling.SampleOptions.defaults());
        assertEquals(0, error(s, model, noise, dpmLowerFinal, "bespoke", "final_sigmas_type", "sigma_min", "timesteps",
                HandMadeSpacings.asList(quadratic), "coefficients", list(lowerFinal.coefficients())), 1e-6);
        assertTrue(error(s, model, noise, dpmLowerFinal, "bespoke", common) > 1e-4);
        // a changed coefficient changes the result (the coefficients are read)
        zeros[5] = 0.1;
        assertTrue(error(s, model, noise, end, "bespoke", "final_sigmas_type", "sigma_min", "timestep_spacing", "quadratic", "steps", 7,
                "coefficients", list(zeros)) > 1e-4);
    }

    /**
     * Gaussian data: the data prediction is affine in x and the exact flow is {@code x_t / m_t}
     * constant, so a 3-step solver with free coefficients can follow it exactly. The optimizer must
     * reach a small fraction of DPM-Solver++(2M)'s error on the same start times.
     */
    @Test
    void learnsTheExactFlowOfGaussianData() {
        Schedule s = Mixtures.linear();
        GaussianDataDenoiser gaussian = new GaussianDataDenoiser(s, 0.5);
        Tensor pilots = Mixtures.noise(64, 21);
        Tensor heldOut = Mixtures.noise(64, 22);
        double factor = gaussian.flow(999, 0);
        BespokeOptimizer optimizer = new BespokeOptimizer(bespoke(s), gaussian, (DiscreteSchedule) s, pilots, pilots.mul(factor), heldOut,
                heldOut.mul(factor));
        double[] times = {999, 400, 100};
        BespokeOptimizer.Result r = optimizer.optimize(times, 2000);
        double dpm = error(s, gaussian, heldOut, heldOut.mul(factor), "dpmsolver-multistep", "solver_order", 2, "lower_order_final", false,
                "final_sigmas_type", "sigma_min", "timesteps", HandMadeSpacings.asList(times));
        assertEquals(dpm, r.startHeldOut(), 1e-9 * dpm);
        assertTrue(r.learnedHeldOut() < 1e-3 * dpm, "learned " + r.learnedHeldOut() + " vs DPM-Solver++(2M) " + dpm
                + " after " + r.runs() + " runs: " + Arrays.toString(r.learned().coefficients()));
        assertEquals(r.learned(), r.chosen());
    }

    /**
     * The mixture, small pilots and budget: the chosen solver's error on a third set of noise (used
     * neither to fit nor to choose) is not above its start's, and the fit improved the pilots.
     */
    @Test
    void chosenSolverIsNeverWorseThanItsStartOnNewNoise() {
        Schedule s = Mixtures.linear();
        Denoiser model = Mixtures.denoiser(s);
        ProbabilityFlowOde ode = new ProbabilityFlowOde(s, 1e-9, 1e-9, ProbabilityFlowOde.Method.DOPRI8, 1_000_000);
        Tensor pilots = Mixtures.noise(128, 31);
        Tensor heldOut = Mixtures.noise(128, 32);
        Tensor fresh = Mixtures.noise(256, 33);
        BespokeOptimizer optimizer = new BespokeOptimizer(bespoke(s), model, (DiscreteSchedule) s, pilots,
                ode.solve(model, pilots, 999, 0, Condition.none()), heldOut, ode.solve(model, heldOut, 999, 0, Condition.none()));
        Tensor freshEnd = ode.solve(model, fresh, 999, 0, Condition.none());
        for (int steps : new int[] {4, 6}) {
            double[] start = HandMadeSpacings.all((DiscreteSchedule) s, steps).get("quadratic");
            BespokeOptimizer.Result r = optimizer.optimize(start, 400);
            assertTrue(r.learnedPilot() < 0.9 * r.startPilot(), steps + " steps: pilots " + r.learnedPilot() + " vs start " + r.startPilot());
            BespokeOptimizer.Solver chosen = r.chosen();
            double before = error(s, model, fresh, freshEnd, "bespoke", "final_sigmas_type", "sigma_min", "timesteps",
                    HandMadeSpacings.asList(start));
            double after = error(s, model, fresh, freshEnd, "bespoke", "final_sigmas_type", "sigma_min", "timesteps",
                    HandMadeSpacings.asList(chosen.timesteps()), "coefficients", list(chosen.coefficients()));
            assertTrue(after <= before, steps + " steps: " + after + " > " + before);
        }
    }

    @Test
    void badCoefficientsAreNamed() {
        Schedule s = Mixtures.linear();
        InvalidParameterException count = assertThrows(InvalidParameterException.class, () -> Mixtures.REGISTRY.createSampler("bespoke", s,
                Parameters.of("steps", 3, "coefficients", List.of(0.0, 0.0))));
        assertTrue(count.getMessage().contains("coefficients") && count.getMessage().contains("must be 9 numbers for 3 steps"), count.getMessage());
        List<Object> c = new ArrayList<>(List.of(0.0, 0.0, Double.NaN, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0));
        InvalidParameterException nan = assertThrows(InvalidParameterException.class, () -> Mixtures.REGISTRY.createSampler("bespoke", s,
                Parameters.of("steps", 3, "coefficients", c)));
        assertTrue(nan.getMessage().contains("coefficients[2]") && nan.getMessage().contains("finite"), nan.getMessage());
        InvalidParameterException text = assertThrows(InvalidParameterException.class, () -> Mixtures.REGISTRY.createSampler("bespoke", s,
                Parameters.of("steps", 3, "coefficients", List.of("a"))));
        assertTrue(text.getMessage().contains("coefficients[0]"), text.getMessage());
    }
}
