package org.ddpm4j.agreement;

import static org.ddpm4j.agreement.Backends.assertAgree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.junit.jupiter.api.Test;

/**
 * With the same weights and the same seed, the real {@code ddim} sampler plugin gives the same
 * samples on both backends: the starting noise is drawn on the host, so x_T is bit-identical, and
 * 20 deterministic steps keep the samples within 1e-3.
 */
class SamplingAgreementTest extends OnBothBackends {
    private static final int STEPS = 20;
    @Test
    void noiseFromASeedIsTheSameTensorOnBothBackends() {
        int[] shape = {3, 1, 8, 8};
        float[] djl = backends.djl.randn(new GaussianNoise(42), shape).toFloatArray();
        float[] tf = backends.tf.randn(new GaussianNoise(42), shape).toFloatArray();
        assertArrayEquals(djl, tf, "x_T bit for bit");
        float[] otherSeed = backends.tf.randn(new GaussianNoise(43), shape).toFloatArray();
        assertFalse(Arrays.equals(djl, otherSeed), "the seed matters");
    }

    @Test
    void twentyDdimStepsOfTheUnetAgree() {
        sampleOnBoth(Backends.predictingX0(Backends.unet()), Condition.classes(0, 1, 2, Condition.NULL_CLASS), 7);
    }

    @Test
    void twentyDdimStepsOfTheMlpAgree() {
        sampleOnBoth(Backends.predictingX0(Backends.mlp()), Condition.repeat(1, 64), 8);
    }

    private static void sampleOnBoth(NetworkSpec spec, Condition condition, long seed) {
        Sampler ddim = ddim();
        Map<String, HostArray> weights = null;
        Tensor[] samples = new Tensor[2];
        int i = 0;
        for (var backend : backends.both()) {
            try (TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
                weights = weights == null ? NeutralWeights.random(net.exportState(), 3) : weights;
                net.importState(weights);
                Tensor noise = backend.randn(new GaussianNoise(seed), Backends.batchShape(spec, condition.size()));
                samples[i++] = ddim.sample(net.ema(), noise, SampleOptions.defaults().withCondition(condition));
            }
        }
        assertAgree(samples[0], samples[1], 1e-3, spec.architecture() + ": 20-step DDIM samples, djl vs tf");
    }

    /** The registry's ddim plugin, deterministic (eta 0), without clipping so the comparison sees raw values. */
    static Sampler ddim() {
        return Backends.REGISTRY.createSampler("ddim", Backends.SCHEDULE, Parameters.of("steps", STEPS, "clip_sample", false));
    }
}
