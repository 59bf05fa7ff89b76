package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training through core's {@link Trainer}: learning, determinism, classifiers, U-Nets, loading checkpoints. */
class TrainingTest extends WithTfBackend {
    private static final DiscreteSchedule SCHEDULE = Fixtures.linear(100);

    private static Trainer.Result train(TrainableDenoiser net, TrainingSettings settings, Objective objective, ArrayData data) {
        return new Trainer(settings, data, backend, TrainingListener.NONE).trainDenoiser(net, objective, Optional.empty(), false);
    }

    @Test
    void aConditionalMlpLearnsTwoClustersAndDdimSamplesThem() {
        TrainingSettings settings = TrainingSettings.defaults().withSteps(600).withBatchSize(128).withLearningRate(1e-2).withWarmupSteps(50);
        try (TrainableDenoiser net = backend.newDenoiser(Fixtures.mlp(2, 0), OptimizerSettings.defaults().withEmaDecay(0.95))) {
            double[] losses = train(net, settings, Objective.simple(SCHEDULE), Fixtures.clusters(512)).losses();
            assertTrue(mean(losses, 550, 600) < 0.6 * mean(losses, 0, 50), "the loss falls: " + mean(losses, 0, 50) + " -> " + mean(losses, 550, 600));
            for (int label = 0; label < 2; label++) {
                float[] x = Fixtures.ddim(net.ema(), SCHEDULE, backend.randn(new GaussianNoise(label), 200, 2), 25,
                        Condition.repeat(label, 200)).toFloatArray();
                double[] centre = label == 0 ? new double[] {-1, 0} : new double[] {1, 0.5};
                int near = 0;
                for (int i = 0; i < 200; i++) {
                    near += Math.hypot(x[2 * i] - centre[0], x[2 * i + 1] - centre[1]) < 0.4 ? 1 : 0;
                }
                assertTrue(near > 160, near + " of 200 samples of class " + label + " lie near its cluster");
            }
        }
    }

    @Test
    void theSameSeedGivesBitIdenticalTrainingAndSamples() {
        TrainingSettings settings = TrainingSettings.defaults().withSteps(25).withBatchSize(64).withWarmupSteps(5).withSeed(3);
        Objective objective = new Objective(SCHEDULE, Parameterization.V, LossWeighting.minSnr(5), 0.3);
        double[][] losses = new double[3][];
        float[][] samples = new float[3][];
        Map<String, HostArray> first = null;
        for (int run = 0; run < 3; run++) {
            try (TrainableDenoiser net = backend.newDenoiser(v(Fixtures.mlp(2, 0.2)), OptimizerSettings.defaults().withSeed(run == 2 ? 9 : 4))) {
                losses[run] = train(net, settings, objective, Fixtures.clusters(100)).losses();
                samples[run] = Fixtures.ddim(net.ema(), SCHEDULE, backend.randn(new GaussianNoise(5), 16, 2), 10,
                        Condition.repeat(Condition.NULL_CLASS, 16)).toFloatArray();
                if (run == 0) {
                    first = net.exportState();
                } else if (run == 1) {
                    Map<String, HostArray> again = net.exportState();
                    first.forEach((k, a) -> assertEquals(a, again.get(k), k));
                }
            }
        }
        assertArrayEquals(losses[0], losses[1], 0.0, "same seed, same losses");
        assertArrayEquals(samples[0], samples[1], "same seed, same samples");
        assertNotEquals(losses[0][24], losses[2][24], "another initialisation seed gives another run");
    }

    private static NetworkSpec v(NetworkSpec s) {
        return new NetworkSpec(s.architecture(), s.sampleShape(), s.numClasses(), Parameterization.V, s.hyperparameters());
    }

    @Test
    void aClassifierLearnsTheClustersAndItsInputGradientPointsToTheClass() {
        TrainingSettings settings = TrainingSettings.defaults().withSteps(300).withBatchSize(64).withLearningRate(1e-2).withWarmupSteps(20);
        NetworkSpec spec = new NetworkSpec("classifier", new int[] {2}, 2, Parameterization.EPSILON,
                Parameters.of("hidden", 32, "blocks", 1, "time_embedding", 16));
        try (TrainableClassifier net = backend.newClassifier(spec, OptimizerSettings.defaults())) {
            double[] losses = new Trainer(settings, Fixtures.clusters(256), backend, TrainingListener.NONE)
                    .trainClassifier(net, SCHEDULE, Optional.empty(), false).losses();
            assertTrue(mean(losses, 250, 300) < 0.5 * mean(losses, 0, 20), "cross-entropy falls: " + mean(losses, 0, 20) + " -> " + mean(losses, 250, 300));
            Tensor origin = backend.zeros(1, 2);
            double[] t = {5};
            float[] p = net.logProbabilities(backend.fromHost(new float[] {-1, 0, 1, 0.5f}, 2, 2), new double[] {5, 5}).toFloatArray();
            assertTrue(p[0] > Math.log(0.9) && p[3] > Math.log(0.9), "points at the clusters are classified: " + Arrays.toString(p));
            float[] towardsOne = net.logProbabilityGradient(origin, t, new int[] {1}).toFloatArray();
            assertTrue(towardsOne[0] > 0, "grad log p(1 | x) at the origin points to the cluster of class 1 (+x)");
        }
    }

    @Test
    void aUNetWithDropoutTrainsAndItsCheckpointLoadsOnAFreshBackend(@TempDir Path dir) {
        NetworkSpec spec = Fixtures.unet(2);
        float[] images = new float[16 * 64];
        int[] labels = new int[16];
        for (int i = 0; i < 16; i++) {
            labels[i] = i % 2;
            for (int p = 0; p < 64; p++) {
                images[i * 64 + p] = (labels[i] == 0) == (p % 8 < 4) ? 1 : -1; // left or right half lit
            }
        }
        ArrayData data = new ArrayData(images, new int[] {1, 8, 8}, labels, 2);
        CheckpointStore store = new CheckpointStore(dir);
        store.writeCard(ModelCard.of("denoiser", spec, SCHEDULE, "tf", Map.of()));
        TrainingSettings settings = TrainingSettings.defaults().withSteps(30).withBatchSize(8).withLearningRate(3e-3).withWarmupSteps(3);
        Tensor probe = backend.randn(new GaussianNoise(2), 2, 1, 8, 8);
        float[] expected;
        try (TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults().withEmaDecay(0.8))) {
            double[] losses = new Trainer(settings, data, backend, TrainingListener.NONE)
                    .trainDenoiser(net, new Objective(SCHEDULE, Parameterization.EPSILON, LossWeighting.UNIFORM, 0.1), Optional.of(store), false)
                    .losses();
            assertTrue(mean(losses, 25, 30) < mean(losses, 0, 5), "the loss falls: " + mean(losses, 0, 5) + " -> " + mean(losses, 25, 30));
            expected = net.ema().predict(probe, new double[] {10, 90}, Condition.classes(0, 1)).toFloatArray();
        }
        try (TfBackend fresh = new TfBackend(); Models.LoadedDenoiser loaded = Models.loadDenoiser(dir, fresh, Fixtures.REGISTRY)) {
            Tensor x = fresh.fromHost(probe.toHost());
            assertArrayEquals(expected, loaded.ema().predict(x, new double[] {10, 90}, Condition.classes(0, 1)).toFloatArray(),
                    "the checkpoint's EMA weights predict exactly as the trained network's");
            assertEquals("linear", loaded.schedule().name());
        }
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }
}
