package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.SampleNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stochastic configuration of StochasticSamplersTest, and stochastic flow matching, computes
 * sample {@code i} from {@code (seed, i)} alone: a batch of 64 and four batches of 16 (run last
 * first) give the same bits on the mixture. {@code pc} declares that its batch-averaged step size
 * couples the batch, and does.
 */
class PerSampleNoiseTest {
    private static final int N = 64;
    private static final int PART = 16;
    private static final FlowSchedule FLOW = (FlowSchedule) Mixtures.REGISTRY.createSchedule("rectified-flow", Parameters.empty());

    static Stream<Arguments> samplers() {
        Stream<Arguments> diffusion = StochasticSamplersTest.samplers().map(a -> {
            Object[] args = a.get();
            return Arguments.of(args[0], args[1], args[2], Mixtures.denoiser((Schedule) args[2]));
        });
        Denoiser velocity = Mixtures.denoiser(FLOW).as(Parameterization.FLOW, FLOW);
        return Stream.concat(diffusion, Stream.of(Arguments.of("flow-euler", Map.of("steps", 30, "stochastic_sampling", true), FLOW, velocity)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("samplers")
    void aBatchOf64IsFourBatchesOf16(String name, Map<String, Object> parameters, Schedule schedule, Denoiser model) {
        Sampler sampler = Mixtures.REGISTRY.createSampler(name, schedule, Parameters.of(parameters));
        double[] whole = sample(sampler, model, 0, N);
        boolean same = true;
        for (int first = N - PART; first >= 0; first -= PART) {
            double[] part = sample(sampler, model, first, PART);
            double[] expected = Arrays.copyOfRange(whole, 2 * first, 2 * (first + PART));
            if (sampler.couplesBatch()) {
                same &= Arrays.equals(expected, part);
            } else {
                assertArrayEquals(expected, part, 0.0, name + " " + parameters + ": samples " + first + ".." + (first + PART - 1));
            }
        }
        assertEquals(name.equals("pc"), sampler.couplesBatch(), name + " couples the batch");
        if (sampler.couplesBatch()) {
            assertFalse(same, name + " declares that it couples the batch; it should show");
        }
        assertTrue(Arrays.stream(whole).allMatch(Double::isFinite));
    }

    /** Samples {@code first .. first + n - 1}: x_T from seed 3, the sampler's own noise from seed 4. */
    private static double[] sample(Sampler sampler, Denoiser model, long first, int n) {
        try (Tensor noise = SampleNoise.initial(Mixtures.BACKEND, 3, first, n, 2);
             Tensor x = sampler.sample(model, noise, SampleOptions.defaults().withSeed(4).withFirstIndex(first))) {
            return x.toDoubleArray();
        }
    }
}
