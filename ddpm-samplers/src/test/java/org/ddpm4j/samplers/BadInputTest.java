package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.NonFiniteOutputException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad input is a clear error naming the parameter, the value and what is allowed. */
class BadInputTest {
    private static final Schedule LINEAR = Mixtures.linear();

    private static InvalidParameterException invalid(String sampler, Schedule schedule, Object... parameters) {
        return assertThrows(InvalidParameterException.class,
                () -> Mixtures.REGISTRY.createSampler(sampler, schedule, Parameters.of(parameters)));
    }

    private static void assertNames(InvalidParameterException e, String parameter, String value, String allowed) {
        assertEquals(parameter, e.parameter(), e.getMessage());
        assertEquals(value, e.value(), e.getMessage());
        assertTrue(e.allowed().contains(allowed), e.getMessage());
    }

    @Test
    void stepsMustNotExceedTheTrainingSteps() {
        // steps = 0 is rejected for every sampler by SamplersContractTest
        assertNames(invalid("ddim", LINEAR, "steps", 1001), "sampler.steps", "1001", "[1, 1000]");
        assertNames(invalid("euler", LINEAR, "steps", 1001), "sampler.steps", "1001", "[1, 1000]");
    }

    @Test
    void etaMustLieInZeroOne() {
        assertNames(invalid("ddim", LINEAR, "eta", -0.1), "sampler.eta", "-0.1", "[0.0, 1.0]");
        assertNames(invalid("ddim", LINEAR, "eta", 1.5), "sampler.eta", "1.5", "[0.0, 1.0]");
        assertNames(invalid("euler-ancestral", LINEAR, "eta", 2), "sampler.eta", "2.0", "[0.0, 1.0]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"dpmsolver-multistep", "dpmsolver-singlestep", "unipc"})
    void orderMustLieInOneToThree(String sampler) {
        assertNames(invalid(sampler, LINEAR, "solver_order", 0), "sampler.solver_order", "0", "[1, 3]");
        assertNames(invalid(sampler, LINEAR, "solver_order", 4), "sampler.solver_order", "4", "[1, 3]");
    }

    @Test
    void optionsOutsideTheirChoicesAreRejected() {
        assertNames(invalid("ddim", LINEAR, "timestep_spacing", "uniform"), "sampler.timestep_spacing", "'uniform'", "linspace, leading, trailing");
        assertNames(invalid("dpmsolver-multistep", LINEAR, "algorithm_type", "sde-dpmsolver++"), "sampler.algorithm_type", "'sde-dpmsolver++'",
                "dpmsolver++, dpmsolver");
        assertNames(invalid("ddpm", LINEAR, "variance_type", "learnt"), "sampler.variance_type", "'learnt'", "learned_range");
        assertNames(invalid("ddpm", LINEAR, "variance_type", "fixed_large_log"), "sampler.variance_type", "'fixed_large_log'", "fixed_small");
        assertNames(invalid("ddpm", LINEAR, "variance_type", "analytic"), "sampler.analytic_eps_moments", "'missing'", "required");
        assertNames(invalid("dpmsolver-multistep", LINEAR, "algorithm_type", "dpmsolver", "final_sigmas_type", "zero"),
                "sampler.final_sigmas_type", "'zero'", "sigma_min");
        assertNames(invalid("euler", LINEAR, "use_karras_sigmas", true, "use_exponential_sigmas", true), "sampler.use_exponential_sigmas",
                "true", "only one of");
        assertNames(invalid("unipc", LINEAR, "use_flow_sigmas", true), "sampler.use_flow_sigmas", "true", "allowed: false");
        assertNames(invalid("ddim", LINEAR, "timesteps", java.util.List.of(10, 500)), "sampler.timesteps", "[10, 500]", "strictly descending");
        assertNames(invalid("ddim", LINEAR, "timesteps", java.util.List.of(500, 10), "steps", 2), "sampler.steps", "2", "not be given together");
        assertNames(invalid("pndm", LINEAR, "steps", 3), "sampler.steps", "3", "at least 4");
        assertNames(invalid("ode", Mixtures.vp(), "rtol", 0), "sampler.rtol", "0.0", "> 0");
    }

    @Test
    void unknownParametersAreNamedWithTheSupportedOnes() {
        InvalidParameterException e = invalid("ddim", LINEAR, "etta", 0.5);
        assertEquals("sampler.etta", e.parameter());
        assertTrue(e.allowed().contains("supported:") && e.allowed().contains("eta"), e.getMessage());
    }

    @Test
    void nanFromTheDenoiserIsReportedWithStepAndTime() {
        Denoiser broken = new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return Parameterization.EPSILON;
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                return t[0] < 500 ? x.mul(Double.NaN) : x.mul(0.1);
            }
        };
        Sampler sampler = Mixtures.REGISTRY.createSampler("ddim", LINEAR, Parameters.of("steps", 10));
        NonFiniteOutputException e = assertThrows(NonFiniteOutputException.class,
                () -> sampler.sample(broken, Mixtures.noise(4, 1), SampleOptions.defaults()));
        assertEquals(5, e.step());
        assertEquals(400.0, e.time());
        assertTrue(e.getMessage().contains("step 5 (t = 400.0)"), e.getMessage());
    }

    @Test
    void runsRejectAStateOfAnotherShapeAndAStartOutsideTheSteps() {
        Sampler sampler = Mixtures.REGISTRY.createSampler("ddim", LINEAR, Parameters.of("steps", 10));
        try (SamplingRun run = sampler.start(Mixtures.denoiser(LINEAR), Mixtures.noise(4, 1), SampleOptions.defaults())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run.setState(Mixtures.noise(3, 1)));
            assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[4, 2]"), e.getMessage());
            assertThrows(IllegalStateException.class, run::result);
        }
        assertNames(assertThrows(InvalidParameterException.class,
                () -> sampler.startAt(10, Mixtures.denoiser(LINEAR), Mixtures.noise(4, 1), SampleOptions.defaults())), "step", "10", "[0, 9]");
    }

    @Test
    void diffusersConfigurationsRejectWhatTheyCannotMap() {
        Map<String, Object> run = Map.of("steps", 10);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> DiffusersScheduler.read(
                Map.of("_class_name", "KDPM2DiscreteScheduler"), "scheduler_config.json", run, Mixtures.REGISTRY));
        assertTrue(e.getMessage().contains("_class_name") && e.allowed().contains("DDIMScheduler"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> DiffusersScheduler.read(
                Map.of("_class_name", "DDIMScheduler", "clip_sample_range", -1.0), "scheduler_config.json", run, Mixtures.REGISTRY));
        assertEquals("scheduler_config.json.clip_sample_range", e.parameter());
        e = assertThrows(InvalidParameterException.class, () -> DiffusersScheduler.read(
                Map.of("_class_name", "EulerDiscreteScheduler", "timestep_type", "edm"), "scheduler_config.json", run, Mixtures.REGISTRY));
        assertTrue(e.getMessage().contains("timestep_type") && e.allowed().contains("continuous"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> DiffusersScheduler.read(
                Map.of("_class_name", "DDIMScheduler", "timestep_spacing", "leading"), "scheduler_config.json",
                Map.of("steps", 10, "timestep_spacing", "trailing"), Mixtures.REGISTRY));
        assertTrue(e.allowed().contains("give it once"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> DiffusersScheduler.read(
                Map.of("beta_schedule", "linear"), "scheduler_config.json", run, Mixtures.REGISTRY));
        assertEquals("scheduler_config.json._class_name", e.parameter());
    }
}
