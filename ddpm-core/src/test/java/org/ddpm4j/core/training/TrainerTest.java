package org.ddpm4j.core.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.testkit.TestSchedules;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private final JavaBackend backend = new JavaBackend();
    private final DiscreteSchedule schedule = TestSchedules.linear(100);
    private final TrainingSettings settings = TrainingSettings.defaults().withSteps(40).withBatchSize(16)
            .withLearningRate(0.2).withWarmupSteps(5).withSeed(11).withCheckpointEvery(10);

    private static TrainingData data() {
        double[][] points = new double[50][];
        for (int i = 0; i < points.length; i++) {
            points[i] = new double[] {0.5 + 0.01 * (i % 5), -1.0};
        }
        return ArrayData.ofPoints(points);
    }

    private Objective x0Objective() {
        return new Objective(schedule, Parameterization.SAMPLE, LossWeighting.UNIFORM, 0);
    }

    @Test
    void fitsTheRegressionTarget() {
        BiasDenoiser model = new BiasDenoiser(2, Parameterization.SAMPLE);
        Trainer.Result r = new Trainer(settings.withSteps(200), data(), backend, TrainingListener.NONE)
                .trainDenoiser(model, x0Objective(), Optional.empty(), false);
        // the x0 target's mean over the data is (0.52, -1): the least-squares constant
        assertEquals(0.52, model.bias()[0], 0.01);
        assertEquals(-1.0, model.bias()[1], 0.01);
        assertTrue(r.losses()[199] < r.losses()[0] / 10, "the loss falls");
    }

    @Test
    void aResumedRunRepeatsTheUninterruptedOneExactly(@TempDir Path dir) {
        BiasDenoiser straight = new BiasDenoiser(2, Parameterization.EPSILON);
        Trainer.Result uninterrupted = new Trainer(settings, data(), backend, TrainingListener.NONE)
                .trainDenoiser(straight, Objective.simple(schedule), Optional.of(new CheckpointStore(dir.resolve("a"))), false);

        CheckpointStore store = new CheckpointStore(dir.resolve("b"));
        TrainingListener crashAt23 = new TrainingListener() {
            @Override
            public void onStep(int done, int total, double loss, double lr) {
                if (done == 23) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> new Trainer(settings, data(), backend, crashAt23)
                .trainDenoiser(new BiasDenoiser(2, Parameterization.EPSILON), Objective.simple(schedule), Optional.of(store), false));
        assertEquals(20, store.latest().orElseThrow().step());

        BiasDenoiser resumed = new BiasDenoiser(2, Parameterization.EPSILON);
        Trainer.Result afterResume = new Trainer(settings, data(), backend, TrainingListener.NONE)
                .trainDenoiser(resumed, Objective.simple(schedule), Optional.of(store), true);
        assertArrayEquals(uninterrupted.losses(), afterResume.losses(), 0.0, "the same loss curve, bit for bit");
        assertArrayEquals(straight.bias(), resumed.bias(), 0f);
        assertEquals(40, store.latest().orElseThrow().step());
    }

    @Test
    void aNanLossStopsTrainingAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        BiasDenoiser model = new BiasDenoiser(2, Parameterization.EPSILON);
        model.failAtStep = 15;
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> new Trainer(settings, data(), backend,
                TrainingListener.NONE).trainDenoiser(model, Objective.simple(schedule), Optional.of(store), false));
        assertEquals(14, e.step());
        assertTrue(e.getMessage().contains("at step 14") && e.getMessage().contains("step-00000010"), e.getMessage());
        CheckpointStore.Checkpoint latest = store.latest().orElseThrow();
        assertEquals(10, latest.step());
        assertEquals(10, (int) latest.state().get("adam_step").data()[0]);
    }

    @Test
    void nonFiniteWeightsAreNeverSaved(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(5, Map.of("weights/bias", new HostArray(new int[] {2}, new float[] {1, 2})), Map.of("step", 5), 2);
        BiasDenoiser broken = new BiasDenoiser(2, Parameterization.EPSILON) {
            @Override
            public Map<String, HostArray> exportState() {
                return Map.of("weights/bias", new HostArray(new int[] {2}, new float[] {Float.NaN, 0}));
            }
        };
        TrainingSettings s = settings.withSteps(3).withCheckpointEvery(0);
        assertThrows(TrainingDivergedException.class, () -> new Trainer(s, data(), backend, TrainingListener.NONE)
                .trainDenoiser(broken, Objective.simple(schedule), Optional.of(new CheckpointStore(dir.resolve("fresh"))), false));
        assertEquals(5, store.latest().orElseThrow().step(), "the good checkpoint is untouched");
        assertArrayEquals(new float[] {1, 2}, store.latest().orElseThrow().state().get("weights/bias").data());
    }

    @Test
    void resumingNeedsTheSameSeedAndAFreshRunAnEmptyDirectory(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        new Trainer(settings.withSteps(10), data(), backend, TrainingListener.NONE)
                .trainDenoiser(new BiasDenoiser(2, Parameterization.EPSILON), Objective.simple(schedule), Optional.of(store), false);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> new Trainer(settings.withSeed(12), data(), backend,
                TrainingListener.NONE).trainDenoiser(new BiasDenoiser(2, Parameterization.EPSILON), Objective.simple(schedule), Optional.of(store), true));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> new Trainer(settings, data(), backend, TrainingListener.NONE)
                .trainDenoiser(new BiasDenoiser(2, Parameterization.EPSILON), Objective.simple(schedule), Optional.of(store), false));
        assertTrue(e.getMessage().contains("already holds checkpoints"), e.getMessage());
    }

    @Test
    void onlyTheNewestCheckpointsAreKeptAndNoTemporaryDirectoryRemains(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        new Trainer(settings, data(), backend, TrainingListener.NONE)
                .trainDenoiser(new BiasDenoiser(2, Parameterization.EPSILON), Objective.simple(schedule), Optional.of(store), false);
        try (var files = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(java.util.List.of("latest", "step-00000030", "step-00000040"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void learningRateWarmsUpThenDecays() {
        TrainingSettings s = new TrainingSettings(110, 1, 1.0, 10, true, 0, 0, 1);
        assertEquals(0.1, s.learningRateAt(0), 1e-12);
        assertEquals(1.0, s.learningRateAt(9), 1e-12);
        assertEquals(1.0, s.learningRateAt(10), 1e-12);
        assertEquals(0.5, s.learningRateAt(60), 1e-12);
        assertTrue(s.learningRateAt(109) < 0.001);
        assertThrows(InvalidParameterException.class, () -> new TrainingSettings(10, 1, 1.0, 20, false, 0, 0, 1));
        assertThrows(InvalidParameterException.class, () -> new TrainingSettings(10, 0, 1.0, 0, false, 0, 0, 1));
    }

    @Test
    void aCleanClassifierSeesTheDataAtTimeZeroANoisyOneAtEveryTime() {
        float[] values = new float[40];
        int[] labels = new int[20];
        for (int i = 0; i < 20; i++) {
            values[2 * i] = i % 2 == 0 ? 1 : -1;
            labels[i] = i % 2;
        }
        TrainingData labelled = new ArrayData(values, new int[] {2}, labels, 2);
        for (boolean clean : new boolean[] {true, false}) {
            java.util.List<Double> times = new java.util.ArrayList<>();
            TrainableClassifier recorder = new TrainableClassifier() {
                @Override
                public double trainStep(Tensor xt, double[] t, int[] y, double learningRate, long stepSeed) {
                    for (double time : t) {
                        times.add(time);
                    }
                    return 1.0;
                }

                @Override
                public int numClasses() {
                    return 2;
                }

                // an untrained classifier: both classes equally likely everywhere
                @Override
                public Tensor logProbabilities(Tensor x, double[] t) {
                    return x.backend().zeros(x.batchSize(), 2).add(Math.log(0.5));
                }

                @Override
                public Tensor logProbabilityGradient(Tensor x, double[] t, int[] y) {
                    return x.backend().zeros(x.shape());
                }

                @Override
                public NetworkSpec spec() {
                    return new NetworkSpec("classifier", new int[] {2}, 2, Parameterization.EPSILON, org.ddpm4j.api.Parameters.empty());
                }

                @Override
                public long parameterCount() {
                    return 0;
                }

                @Override
                public java.util.Map<String, org.ddpm4j.api.tensor.HostArray> exportState() {
                    return java.util.Map.of();
                }

                @Override
                public void importState(java.util.Map<String, org.ddpm4j.api.tensor.HostArray> state) {
                }

                @Override
                public void close() {
                }
            };
            new Trainer(settings.withSteps(10), labelled, backend, TrainingListener.NONE)
                    .trainClassifier(recorder, schedule, clean, java.util.Optional.empty(), false);
            assertEquals(160, times.size());
            double latest = times.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            if (clean) {
                assertEquals(0.0, latest, "a clean classifier trains at t = 0 only");
            } else {
                assertTrue(latest > 80, "a noisy classifier trains across the schedule's 100 steps; latest " + latest);
            }
        }
    }

    @Test
    void theLossMustMatchTheNetworksVarianceOutput() {
        Trainer trainer = new Trainer(settings.withSteps(1), data(), backend, TrainingListener.NONE);
        BiasDenoiser plain = new BiasDenoiser(2, Parameterization.SAMPLE);
        org.ddpm4j.api.InvalidParameterException e = org.junit.jupiter.api.Assertions.assertThrows(org.ddpm4j.api.InvalidParameterException.class,
                () -> trainer.trainDenoiser(plain, x0Objective().withLoss(Objective.Loss.HYBRID, 0.001), java.util.Optional.empty(), false));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("loss = 'hybrid'") && e.getMessage().contains("outputs none"),
                e.getMessage());
    }

    @Test
    void aModelCardRecordsTheVarianceOutputAndTheLoss() {
        org.ddpm4j.api.training.NetworkSpec spec = new org.ddpm4j.api.training.NetworkSpec("unet", new int[] {1, 8, 8}, 10,
                Parameterization.EPSILON, org.ddpm4j.api.Parameters.of("channels", 16), org.ddpm4j.api.model.VarianceOutput.LEARNED_RANGE);
        Objective objective = x0Objective().withLoss(Objective.Loss.HYBRID, 0.001);
        ModelCard card = ModelCard.of("denoiser", spec, schedule, "djl", java.util.Map.of()).withObjective(objective.describe());
        java.util.Map<String, Object> map = card.toMap();
        org.junit.jupiter.api.Assertions.assertEquals("learned_range", map.get("variance_output"));
        ModelCard back = ModelCard.fromMap(org.ddpm4j.toolkit.io.Json.parseObject(org.ddpm4j.toolkit.io.Json.write(map), "card"), "card");
        org.junit.jupiter.api.Assertions.assertEquals(spec, back.spec());
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Map.of("type", "denoising", "loss", "hybrid", "vlb_weight", 0.001), back.objective());
        // an old card (no variance_output) is a network without one; a wrong value is named
        map.remove("variance_output");
        org.junit.jupiter.api.Assertions.assertEquals(org.ddpm4j.api.model.VarianceOutput.NONE, ModelCard.fromMap(map, "card").spec().varianceOutput());
        map.put("variance_output", "large");
        org.ddpm4j.api.InvalidParameterException e = org.junit.jupiter.api.Assertions.assertThrows(org.ddpm4j.api.InvalidParameterException.class,
                () -> ModelCard.fromMap(map, "card"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("card.variance_output"), e.getMessage());
    }
}
