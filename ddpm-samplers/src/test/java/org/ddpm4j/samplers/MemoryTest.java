package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A run holds a constant number of tensors however many steps it takes: every step's temporaries
 * die with its scope, the previous state and evicted history are released. Counted on a backend
 * that records every tensor; the java backend also fails on any use of a released tensor.
 */
class MemoryTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ddpm", "ddim", "pndm", "dpmsolver-multistep", "dpmsolver-singlestep", "unipc", "euler", "euler-ancestral",
            "heun", "lms", "sde-euler-maruyama", "pc", "annealed-langevin", "ode"})
    void memoryStaysFlat(String name) {
        TrackingBackend backend = new TrackingBackend();
        boolean continuous = name.equals("sde-euler-maruyama") || name.equals("pc") || name.equals("annealed-langevin");
        Schedule schedule = continuous ? Mixtures.vp() : Mixtures.linear();
        Map<String, Object> parameters = name.equals("ode") ? Map.of() : Map.of("steps", name.equals("pndm") ? 400 : 500);
        if (name.startsWith("dpm") || name.equals("unipc") || name.equals("euler") || name.equals("heun") || name.equals("lms")
                || name.equals("euler-ancestral")) {
            parameters = Map.of("steps", 500, "final_sigmas_type", "sigma_min");
        }
        var sampler = Mixtures.REGISTRY.createSampler(name, schedule, Parameters.of(parameters));
        Tensor noise = backend.fromHost(new double[] {0.3, -1.2, 0.8, 0.1}, 2, 2);
        long before = backend.alive();
        long[] alive = new long[sampler.steps() + 1];
        try (SamplingRun run = sampler.start(new GaussianMixtureDenoiser(Mixtures.MIXTURE, schedule, false), noise,
                SampleOptions.defaults().withSeed(3))) {
            while (!run.isDone()) {
                run.step();
                alive[run.stepsDone()] = backend.alive() - before;
            }
            Tensor result = run.result();
            assertTrue(result.isFinite());
        }
        int steps = sampler.steps();
        if (steps > 10) {
            assertEquals(alive[10], alive[steps - 1], name + ": tensors alive after step 10 and after step " + (steps - 1));
        }
        assertTrue(alive[steps] <= 8, name + " holds " + alive[steps] + " tensors at the end");
        assertEquals(1, backend.alive() - before, name + ": after close only the result is alive");
    }
}
