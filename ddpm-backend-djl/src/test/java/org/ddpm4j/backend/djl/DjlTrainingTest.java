package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingData;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training and sampling the networks through core's {@link Trainer}, on the CPU. */
class DjlTrainingTest {
    static final double[] CENTER = {1.5, -0.5};
    static final double SPREAD = 0.2;

    private static DjlBackend backend;
    private static DiscreteSchedule schedule;

    @BeforeAll
    static void open() {
        backend = new DjlBackend("cpu");
        schedule = (DiscreteSchedule) PluginRegistry.load().createSchedule("linear", Parameters.of("num_train_timesteps", 1000));
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static NetworkSpec mlp(int classes, Parameterization p, Object... hyperparameters) {
        return new NetworkSpec("mlp", new int[] {2}, classes, p, Parameters.of(hyperparameters));
    }

    /** Points around CENTER (class 0) and around -CENTER (class 1). */
    static TrainingData clusters(boolean labelled) {
        GaussianNoise noise = new GaussianNoise(5);
        int n = 400;
        float[] values = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = labelled ? i % 2 : 0;
            double sign = labels[i] == 0 ? 1 : -1;
            values[2 * i] = (float) (sign * CENTER[0] + SPREAD * noise.next());
            values[2 * i + 1] = (float) (sign * CENTER[1] + SPREAD * noise.next());
        }
        return new ArrayData(values, new int[] {2}, labelled ? labels : null, labelled ? 2 : 0);
    }

    static TrainingSettings settings(int steps) {
        return new TrainingSettings(steps, 128, 3e-3, Math.min(20, steps), false, 7, 0, 2);
    }

    private static Trainer.Result train(TrainableDenoiser model, TrainingData data, TrainingSettings settings, Objective objective) {
        return new Trainer(settings, data, backend, TrainingListener.NONE).trainDenoiser(model, objective, Optional.empty(), false);
    }

    private static double mean(double[] v, int from, int to) {
        return Arrays.stream(v, from, to).average().orElseThrow();
    }

    private static double[] sampleMean(Tensor samples) {
        float[] f = samples.toFloatArray();
        double[] m = new double[2];
        for (int i = 0; i < f.length; i++) {
            m[i % 2] += f[i] / (f.length / 2.0);
        }
        return m;
    }

    @Test
    void anMlpLearnsAGaussianAndDdimSamplesFromIt() {
        try (TrainableDenoiser model = backend.newDenoiser(mlp(0, Parameterization.EPSILON, "hidden", 64, "blocks", 2),
                OptimizerSettings.defaults().withEmaDecay(0.99).withSeed(3))) {
            double[] losses = train(model, clusters(false), settings(400), Objective.simple(schedule)).losses();
            assertTrue(mean(losses, 350, 400) < 0.6 * mean(losses, 0, 50),
                    "the loss falls: " + mean(losses, 0, 50) + " -> " + mean(losses, 350, 400));
            try (TensorScope scope = backend.openScope()) {
                Tensor samples = Ddim.sample(model.ema(), schedule, backend.randn(new GaussianNoise(9), 500, 2), 50, Condition.none());
                double[] m = sampleMean(samples);
                assertEquals(CENTER[0], m[0], 0.25, "sample mean x");
                assertEquals(CENTER[1], m[1], 0.25, "sample mean y");
            }
        }
    }

    @Test
    void sameSeedSameThreadsGiveBitIdenticalLossesAndSamples() {
        double[][] losses = new double[3][];
        float[][] samples = new float[3][];
        long[] seeds = {7, 7, 8};
        for (int run = 0; run < 3; run++) {
            NetworkSpec spec = mlp(2, Parameterization.V, "hidden", 32, "blocks", 2, "dropout", 0.2);
            try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults().withSeed(1))) {
                Objective objective = new Objective(schedule, Parameterization.V, LossWeighting.minSnr(5), 0.2);
                losses[run] = train(model, clusters(true), settings(30).withSeed(seeds[run]), objective).losses();
                try (TensorScope scope = backend.openScope()) {
                    samples[run] = Ddim.sample(model.ema(), schedule, backend.randn(new GaussianNoise(4), 16, 2), 10,
                            Condition.repeat(1, 16)).toFloatArray();
                }
            }
        }
        assertArrayEquals(losses[0], losses[1], 0.0, "losses, bit for bit");
        assertArrayEquals(samples[0], samples[1], 0f, "samples, bit for bit");
        assertFalse(Arrays.equals(losses[0], losses[2]), "another seed trains differently");
    }

    @Test
    void dropoutDrawsItsMasksFromTheStepSeedOnly() {
        try (TrainableDenoiser model = backend.newDenoiser(mlp(0, Parameterization.EPSILON, "hidden", 32, "dropout", 0.5),
                OptimizerSettings.defaults())) {
            try (TensorScope scope = backend.openScope()) {
                TrainingBatch batch = Objective.simple(schedule).batch(backend.randn(new GaussianNoise(2), 64, 2), Condition.none(),
                        new GaussianNoise(3));
                model.trainStep(batch, 1e-2, 41); // the output layer starts at zero, which would hide the masks
                Map<String, HostArray> start = model.exportState();
                double first = model.trainStep(batch, 1e-3, 42);
                model.importState(start);
                assertEquals(first, model.trainStep(batch, 1e-3, 42), 0.0, "the same step seed repeats the step");
                model.importState(start);
                assertNotEquals(first, model.trainStep(batch, 1e-3, 43), "another step seed draws other masks");
                Tensor x = batch.xt();
                assertArrayEquals(model.predict(x, batch.t(), Condition.none()).toFloatArray(),
                        model.predict(x, batch.t(), Condition.none()).toFloatArray(), "predict has no dropout");
            }
        }
    }

    @Test
    void aResumedRunRepeatsTheUninterruptedOneBitForBit(@TempDir Path dir) {
        NetworkSpec spec = mlp(0, Parameterization.EPSILON, "hidden", 32, "blocks", 1, "dropout", 0.1);
        TrainingSettings settings = settings(30).withCheckpointEvery(10);
        double[] uninterrupted;
        try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            uninterrupted = new Trainer(settings, clusters(false), backend, TrainingListener.NONE)
                    .trainDenoiser(model, Objective.simple(schedule), Optional.of(new CheckpointStore(dir.resolve("a"))), false).losses();
        }
        CheckpointStore store = new CheckpointStore(dir.resolve("b"));
        TrainingListener crash = new TrainingListener() {
            @Override
            public void onStep(int done, int total, double loss, double lr) {
                if (done == 17) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            assertThrows(IllegalStateException.class, () -> new Trainer(settings, clusters(false), backend, crash)
                    .trainDenoiser(model, Objective.simple(schedule), Optional.of(store), false));
        }
        try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults().withSeed(99))) {
            double[] resumed = new Trainer(settings, clusters(false), backend, TrainingListener.NONE)
                    .trainDenoiser(model, Objective.simple(schedule), Optional.of(store), true).losses();
            assertArrayEquals(uninterrupted, resumed, 0.0);
        }
    }

    /** Losses of a few training steps of a small U-Net with attention, optionally while the JVM frees direct buffers. */
    private static double[] unetLosses(boolean garbage) throws InterruptedException {
        NetworkSpec spec = new NetworkSpec("unet", new int[] {1, 8, 8}, 2, Parameterization.EPSILON, Parameters.of("channels", 8,
                "channel_mult", java.util.List.of(1, 2), "num_res_blocks", 1, "attention_levels", java.util.List.of(0, 1), "heads", 2, "groups", 4));
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!done.get()) {
                // direct buffers full of NaN, freed and reused: memory read after DJL released it shows up
                java.nio.ByteBuffer.allocateDirect(1 << 12).asFloatBuffer().put(new float[1 << 10]).flip();
                java.nio.ByteBuffer.allocateDirect(4).putFloat(0, Float.NaN);
                System.gc();
            }
        });
        if (garbage) {
            collector.start();
        }
        try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            double[] losses = new double[12];
            for (int k = 0; k < losses.length; k++) {
                try (TensorScope scope = backend.openScope()) {
                    GaussianNoise noise = GaussianNoise.forStep(1, k);
                    TrainingBatch batch = Objective.simple(schedule).batch(backend.randn(noise, 4, 1, 8, 8), Condition.classes(0, 1, -1, 1), noise);
                    losses[k] = model.trainStep(batch, 1e-3, k);
                }
            }
            return losses;
        } finally {
            done.set(true);
            collector.join();
        }
    }

    @Test
    void unetTrainingIsUnaffectedByTheJvmFreeingMemory() throws InterruptedException {
        assertArrayEquals(unetLosses(false), unetLosses(true), 0.0);
    }

    @Test
    void aClassifierLearnsTheClustersAndItsGradientPointsToItsClass() {
        NetworkSpec spec = new NetworkSpec("classifier", new int[] {2}, 2, Parameterization.EPSILON, Parameters.of("hidden", 32, "blocks", 1));
        try (TrainableClassifier model = backend.newClassifier(spec, OptimizerSettings.defaults())) {
            double[] losses = new Trainer(settings(150), clusters(true), backend, TrainingListener.NONE)
                    .trainClassifier(model, schedule, Optional.empty(), false).losses();
            // at large t the classes are indistinguishable, so the mean cross-entropy stays well above 0
            assertTrue(mean(losses, 130, 150) < 0.8 * mean(losses, 0, 20), "cross-entropy falls: " + mean(losses, 0, 20) + " -> "
                    + mean(losses, 130, 150));
            try (TensorScope scope = backend.openScope()) {
                Tensor x = backend.fromHost(new double[] {0, 0, 0, 0}, 2, 2);
                double[] t = {10, 10};
                float[] g = model.logProbabilityGradient(x, t, new int[] {0, 1}).toFloatArray();
                // log p(0 | x) grows towards CENTER, log p(1 | x) towards -CENTER
                assertTrue(g[0] * CENTER[0] + g[1] * CENTER[1] > 0, Arrays.toString(g));
                assertTrue(g[2] * CENTER[0] + g[3] * CENTER[1] < 0, Arrays.toString(g));
                float[] logP = model.logProbabilities(backend.fromHost(new double[] {1.5, -0.5}, 1, 2), new double[] {10}).toFloatArray();
                assertTrue(logP[0] > Math.log(0.9), Arrays.toString(logP));
            }
        }
    }
}
