package org.ddpm4j.agreement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.pipeline.Noise;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Sample {@code i} depends on {@code (seed, i)} only: on each network backend a batch of 64 and four
 * batches of 16 (run last first, each given its first index) give the same bits, with a
 * deterministic and with stochastic samplers, for the point mlp and the small unet (libtorch's and
 * TensorFlow's kernels compute a row the same at any batch size here), and djl and tf start from
 * the same x_T.
 */
class PerSampleReproducibilityTest extends OnBothBackends {
    private static final int N = 64;
    private static final int PART = 16;

    @Test
    void bothBackendsStartFromTheSameNoiseForTheSameIndices() {
        int[] shape = {1, 8, 8};
        float[] djl = Noise.seeded(backends.djl, N, shape, 5, 0).toFloatArray();
        float[] tf = Noise.seeded(backends.tf, N, shape, 5, 0).toFloatArray();
        assertArrayEquals(djl, tf, "x_T bit for bit");
        int row = 64;
        float[] slice = Noise.seeded(backends.tf, PART, shape, 5, PART).toFloatArray();
        assertArrayEquals(Arrays.copyOfRange(djl, PART * row, 2 * PART * row), slice, "rows 16..31 drawn alone");
        assertFalse(Arrays.equals(djl, Noise.seeded(backends.djl, N, shape, 6, 0).toFloatArray()), "the seed matters");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"djl, mlp, ddim", "djl, mlp, ddpm", "djl, mlp, euler-ancestral", "djl, unet, ddpm",
            "tf, mlp, ddim", "tf, mlp, ddpm", "tf, mlp, euler-ancestral", "tf, unet, ddpm"})
    void aBatchOf64IsFourBatchesOf16(String backendName, String architecture, String samplerName) {
        NetworkBackend backend = backends.named(backendName);
        Sampler sampler = Backends.REGISTRY.createSampler(samplerName, Backends.SCHEDULE, Parameters.of("steps", 10));
        NetworkSpec spec = Backends.predictingX0(architecture.equals("mlp") ? Backends.mlp() : Backends.unet());
        int row = Arrays.stream(spec.sampleShape()).reduce(1, (a, b) -> a * b);
        int[] labels = new int[N];
        Arrays.setAll(labels, i -> i % 3);
        try (TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            Map<String, HostArray> weights = NeutralWeights.random(net.exportState(), 3);
            net.importState(weights);
            float[] whole = sample(backend, net, sampler, Condition.classes(labels), 0, N);
            for (int first = N - PART; first >= 0; first -= PART) {
                float[] part = sample(backend, net, sampler, Condition.classes(Arrays.copyOfRange(labels, first, first + PART)), first, PART);
                assertArrayEquals(Arrays.copyOfRange(whole, row * first, row * (first + PART)), part,
                        backendName + " " + architecture + " " + samplerName + ": samples " + first + ".." + (first + PART - 1));
            }
        }
    }

    /** Samples {@code first .. first + n - 1}: x_T from seed 5, the sampler's noise from seed 6. */
    private static float[] sample(NetworkBackend backend, TrainableDenoiser net, Sampler sampler, Condition condition, long first, int n) {
        try (Tensor noise = Noise.seeded(net.ema(), backend, n, 5, first);
             Tensor x = sampler.sample(net.ema(), noise, SampleOptions.defaults().withSeed(6).withFirstIndex(first).withCondition(condition))) {
            return x.toFloatArray();
        }
    }
}
