package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** NaN or Inf in the input noise is bad input, not the denoiser's failure at step 0. */
class NonFiniteNoiseTest {

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY})
    void nonFiniteNoiseIsReportedAsBadInput(double bad) {
        Sampler sampler = Mixtures.REGISTRY.createSampler("ddim", Mixtures.linear(), Parameters.of("steps", 10));
        double[] v = {0.1, -0.2, bad, 0.3};
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> sampler.sample(
                Mixtures.denoiser(Mixtures.linear()), Mixtures.BACKEND.fromHost(v, 2, 2), SampleOptions.defaults()));
        assertTrue(e.getMessage().startsWith("invalid noise = 'a tensor [2, 2]': holds NaN or infinite values"), e.getMessage());
    }
}
