package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.junit.jupiter.api.Test;

/**
 * Long loops in constant memory: the number of live native arrays of the backend (in every scope
 * and model) is the same after step 10 and after the last step. The 100,000-step RSS measurement
 * is in the benchmark ({@code ddpm bench backend}, docs/BENCHMARKS.md).
 */
class DjlMemoryTest {
    private static final int STEPS = 1_000;

    @Test
    void aScopedSamplingLoopKeepsTheSameLiveArrays() {
        try (DjlBackend backend = new DjlBackend("cpu");
             TrainableDenoiser model = backend.newDenoiser(new NetworkSpec("mlp", new int[] {2}, 3, Parameterization.EPSILON,
                     Parameters.of("hidden", 16, "blocks", 2)), OptimizerSettings.defaults())) {
            Tensor noise = backend.randn(new GaussianNoise(1), 8, 2);
            Tensor x = noise;
            int afterWarmUp = -1;
            for (int step = 0; step < STEPS; step++) {
                try (TensorScope scope = backend.openScope()) {
                    Tensor eps = model.ema().predict(x, 999.0 * (STEPS - step) / STEPS, Condition.repeat(step % 3, 8));
                    Tensor next = x.linear(0.999, eps, -0.01);
                    if (x != noise) {
                        x.close();
                    }
                    x = scope.keep(next);
                }
                if (step == 10) {
                    afterWarmUp = backend.liveArrays();
                }
            }
            assertEquals(afterWarmUp, backend.liveArrays(), "live arrays after " + STEPS + " sampler steps");
        }
    }

    @Test
    void trainingStepsAndClassifierGradientsLeaveNothingBehind() {
        try (DjlBackend backend = new DjlBackend("cpu");
             TrainableDenoiser denoiser = backend.newDenoiser(new NetworkSpec("unet", new int[] {1, 4, 4}, 0, Parameterization.EPSILON,
                     Parameters.of("channels", 4, "channel_mult", java.util.List.of(1, 2), "num_res_blocks", 1, "groups", 2)),
                     OptimizerSettings.defaults());
             TrainableClassifier classifier = backend.newClassifier(new NetworkSpec("classifier", new int[] {2}, 2, Parameterization.EPSILON,
                     Parameters.of("hidden", 8, "blocks", 1)), OptimizerSettings.defaults())) {
            Tensor images = backend.randn(new GaussianNoise(2), 2, 1, 4, 4);
            Tensor points = backend.randn(new GaussianNoise(3), 2, 2);
            int before = backend.liveArrays();
            for (int step = 0; step < 10; step++) {
                denoiser.trainStep(new TrainingBatch(images, new double[] {step, 500}, Condition.none(), images, new double[] {1, 1}), 1e-3, step);
                classifier.trainStep(points, new double[] {step, 3}, new int[] {0, 1}, 1e-3, step);
                classifier.logProbabilityGradient(points, new double[] {step, 3}, new int[] {1, 0}).close();
                classifier.logProbabilities(points, new double[] {step, 3}).close();
                denoiser.predict(images, step, Condition.none()).close();
            }
            assertEquals(before, backend.liveArrays(), "live arrays after training steps outside any scope");
        }
    }
}
