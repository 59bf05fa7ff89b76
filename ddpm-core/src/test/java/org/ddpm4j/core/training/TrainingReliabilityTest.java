package org.ddpm4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.toolkit.io.Safetensors;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.TestSchedules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a training run checks about its checkpoints, its data and its size. */
class TrainingReliabilityTest {
    private final JavaBackend backend = new JavaBackend();
    private final DiscreteSchedule schedule = TestSchedules.linear(100);
    private final TrainingSettings settings = TrainingSettings.defaults().withSteps(30).withBatchSize(8)
            .withLearningRate(0.2).withWarmupSteps(5).withSeed(11).withCheckpointEvery(10);

    private static float[] values(float shift) {
        float[] v = new float[40];
        for (int i = 0; i < v.length; i++) {
            v[i] = shift + 0.01f * i;
        }
        return v;
    }

    private static ArrayData points(float shift) {
        return new ArrayData(values(shift), new int[] {2}, null, 0);
    }

    private Trainer.Result train(TrainingSettings s, CheckpointStore store, boolean resume) {
        return new Trainer(s, points(0), backend, TrainingListener.NONE)
                .trainDenoiser(new BiasDenoiser(2, Parameterization.EPSILON), Objective.simple(schedule), Optional.of(store), resume);
    }

    /** Flips one bit in the middle of a file. */
    private static void flipABit(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 4;
        Files.write(file, b);
    }

    @Test
    void aDamagedLatestCheckpointIsReportedWithTheNewestIntactOneAndNeverResumed(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        train(settings, store, false);
        CheckpointStore.Checkpoint latest = store.latest().orElseThrow();
        assertEquals(30, latest.step());
        Map<String, Object> training = latest.training();
        assertEquals(64, String.valueOf(training.get("state_sha256")).length(), "the state file's SHA-256 is recorded: " + training);
        assertEquals("state.safetensors", training.get("state_file"));

        // a well-formed archive with other numbers in it: only the recorded hash can tell
        Path state = latest.dir().resolve("state.safetensors");
        byte[] original = Files.readAllBytes(state);
        Map<String, HostArray> other = new LinkedHashMap<>(Safetensors.read(state));
        other.put("weights/bias", new HostArray(new int[] {2}, new float[] {7, 7}));
        Safetensors.write(state, other, null);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, latest::state);
        assertTrue(e.getMessage().contains("is damaged") && e.getMessage().contains("SHA-256")
                && e.getMessage().contains("the newest intact checkpoint is " + dir.resolve("checkpoints").resolve("step-00000020")),
                e.getMessage());

        // a flipped bit: the archive's structure or CRC, or the hash, catches it
        Files.write(state, original);
        latest.state();
        flipABit(state);
        e = assertThrows(InvalidParameterException.class, latest::state);
        assertTrue(e.getMessage().contains("is damaged") && e.getMessage().contains("step-00000020"), e.getMessage());

        byte[] damaged = Files.readAllBytes(latest.dir().resolve("state.safetensors"));
        e = assertThrows(InvalidParameterException.class, () -> train(settings.withSteps(40), store, true));
        assertTrue(e.getMessage().contains("is damaged"), e.getMessage());
        assertEquals(30, store.latest().orElseThrow().step(), "no new checkpoint from damaged weights");
        assertTrue(java.util.Arrays.equals(damaged, Files.readAllBytes(latest.dir().resolve("state.safetensors"))));
    }

    @Test
    void resumingPastTheRequestedStepsSaysSo(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        train(settings, store, false);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> train(settings.withSteps(20), store, true));
        assertTrue(e.getMessage().startsWith("invalid steps = 20: the run in " + dir + " is already at step 30, past the requested steps"),
                e.getMessage());
    }

    @Test
    void nonFiniteTrainingDataIsRefusedAtLoadNamingTheFirstBadSample() {
        float[] v = {0, 1, 2, 3, Float.NaN, 5, Float.POSITIVE_INFINITY, 7};
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> new ArrayData(v, new int[] {2}, null, 0));
        assertEquals("invalid data = NaN: sample 2 (value 0 of it) is not finite; training data must hold finite numbers only", e.getMessage());
    }

    @Test
    void moreClassesThanTheStatedMaximumAreRefused() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> new ArrayData(new float[] {0, 1}, new int[] {2}, new int[] {0}, ArrayData.MAX_CLASSES + 1));
        assertTrue(e.getMessage().contains("at most " + ArrayData.MAX_CLASSES + " classes"), e.getMessage());
    }

    @Test
    void aBatchThatCannotFitIsRefusedBeforeAllocating() {
        ArrayData big = new ArrayData(new float[784], new int[] {784}, null, 0);
        TrainingSettings huge = settings.withBatchSize(2_000_000_000);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> new Trainer(huge, big, backend,
                TrainingListener.NONE).trainDenoiser(new BiasDenoiser(784, Parameterization.EPSILON), Objective.simple(schedule),
                Optional.empty(), false));
        assertTrue(e.getMessage().startsWith("invalid batch_size = 2000000000: needs about ") && e.getMessage().endsWith("lower the batch size"),
                e.getMessage());
    }

    @Test
    void theCardRecordsADataFingerprintAndRefusesOtherData(@TempDir Path dir) {
        Map<String, Object> same = DataFingerprint.of(points(0));
        assertEquals(same, DataFingerprint.of(points(0)));
        assertEquals(List.of(20, 2), same.get("shape"));
        Map<String, Object> other = DataFingerprint.of(points(1));
        assertNotEquals(same.get("sha256"), other.get("sha256"));
        ArrayData labelled = new ArrayData(values(0), new int[] {2}, new int[20], 2);
        assertNotEquals(same.get("sha256"), DataFingerprint.of(labelled).get("sha256"), "labels count");

        CheckpointStore store = new CheckpointStore(dir);
        NetworkSpec spec = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.of(Map.of()));
        store.writeCard(ModelCard.of("denoiser", spec, schedule, "java", Map.of(DataFingerprint.KEY, same)));
        store.writeCard(ModelCard.of("denoiser", spec, schedule, "java", Map.of(DataFingerprint.KEY, DataFingerprint.of(points(0)))));
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> store.writeCard(ModelCard.of("denoiser", spec, schedule, "java", Map.of(DataFingerprint.KEY, other))));
        assertTrue(e.getMessage().contains("differs from the data the model in " + dir + " was trained on"), e.getMessage());
    }
}
