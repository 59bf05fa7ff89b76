package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The same seed gives bit-identical samples run after run; another seed other samples where the method draws noise. */
class DeterminismTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ddpm, true", "ddim, false", "pndm, false", "plms, false", "dpmsolver-multistep, false",
            "dpmsolver-singlestep, false", "unipc, false", "euler, false", "euler-ancestral, true", "heun, false", "lms, false",
            "sde-euler-maruyama, true", "pc, true", "annealed-langevin, true", "ode, false"})
    void sameSeedSameBits(String name, boolean stochastic) {
        boolean continuous = name.equals("sde-euler-maruyama") || name.equals("pc") || name.equals("annealed-langevin");
        Schedule schedule = continuous ? Mixtures.vp() : Mixtures.linear();
        Parameters p = name.equals("ode") ? Parameters.empty() : Parameters.of("steps", 20);
        Sampler sampler = Mixtures.REGISTRY.createSampler(name, schedule, p);
        double[] first = sample(sampler, schedule, 5);
        double[] again = sample(sampler, schedule, 5);
        assertArrayEquals(first, again, 0.0, name + ": same seed, same bits");
        if (stochastic) {
            assertFalse(Arrays.equals(first, sample(sampler, schedule, 6)), name + ": another seed, other samples");
        }
    }

    private static double[] sample(Sampler sampler, Schedule schedule, long seed) {
        return sampler.sample(Mixtures.denoiser(schedule), Mixtures.noise(8, 1), SampleOptions.defaults().withSeed(seed)).toDoubleArray();
    }
}
