package org.ddpm4j.examples.inpaint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.tf.TfBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inpainting frees what it allocates: on the tf backend, which counts its live native tensors, a
 * call leaves nothing behind but its result, whatever the number of resampling rounds (each round
 * used to leave its temporaries and replaced state alive, so memory grew with U). And the rounds
 * report progress as one run of steps x U steps.
 */
class InpaintingMemoryTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();
    private static final Schedule SCHEDULE = REGISTRY.createSchedule("linear", Parameters.of(Map.of()));
    private static final int STEPS = 6;

    private static Sampler ddpm() {
        return REGISTRY.createSampler("ddpm", SCHEDULE, Parameters.of("steps", STEPS, "clip_sample", false));
    }

    @ParameterizedTest(name = "resampling {0}")
    @ValueSource(ints = {1, 2, 5})
    void nothingButTheResultOutlivesTheCall(int resampling) {
        try (TfBackend backend = new TfBackend()) {
            GaussianMixtureDenoiser denoiser = new GaussianMixtureDenoiser(InpaintingTest.MIXTURE, SCHEDULE, false);
            Tensor known = backend.fromHost(new double[] {0.3, 5, -0.6, 5, 0.1, 5}, 3, 2);
            Tensor mask = backend.fromHost(new double[] {1, 0, 1, 0, 1, 0}, 3, 2);
            Tensor noise = backend.randn(new GaussianNoise(1), 3, 2);
            long before = backend.liveTensors();
            Tensor result = new Inpainting(ddpm(), resampling).inpaint(denoiser, known, mask, noise, SampleOptions.defaults().withSeed(2));
            assertEquals(0.3, result.toDoubleArray()[0], 1e-6, "the known entries are kept");
            result.close();
            assertEquals(before, backend.liveTensors(), "live native tensors after the call, result closed");
        }
    }

    @Test
    void resamplingRoundsAreOneProgressBar() {
        List<String> events = new ArrayList<>();
        Tensor noise = InpaintingTest.BACKEND.randn(new GaussianNoise(1), InpaintingTest.N, 2);
        new Inpainting(ddpm(), 3).inpaint(InpaintingTest.DENOISER, InpaintingTest.knownX(0.3), InpaintingTest.xMask(), noise,
                SampleOptions.defaults().withSeed(7).withListener(e -> events.add(e.step() + "/" + e.steps())));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 3 * STEPS; i++) {
            expected.add(i + "/" + 3 * STEPS);
        }
        assertEquals(expected, events);
    }
}
