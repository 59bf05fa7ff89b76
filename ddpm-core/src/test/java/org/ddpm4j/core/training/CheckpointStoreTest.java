package org.ddpm4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.toolkit.io.ContentHash;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npz;
import org.ddpm4j.toolkit.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints are safetensors files keyed by parameter name; those earlier versions wrote as .npz still load. */
class CheckpointStoreTest {

    private static Map<String, HostArray> state() {
        Map<String, HostArray> s = new LinkedHashMap<>();
        s.put("weights/input.weight", new HostArray(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6}));
        s.put("ema/input.weight", new HostArray(new int[] {2, 3}, new float[] {0.5f, 2, 3, 4, 5, -6}));
        s.put("adam_step", HostArray.scalar(7));
        return s;
    }

    @Test
    void savesTheStateAsSafetensorsByNameWithItsHash(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(7, state(), Map.of("step", 7), 2);
        CheckpointStore.Checkpoint c = store.latest().orElseThrow();
        assertEquals(dir.resolve("checkpoints/step-00000007/state.safetensors"), c.stateFile());
        assertEquals(state(), Safetensors.read(c.stateFile()));
        assertEquals(state(), c.state());
        assertEquals("state.safetensors", c.training().get(CheckpointStore.STATE_FILE));
        assertEquals(ContentHash.of(c.stateFile()), c.training().get(CheckpointStore.STATE_SHA256));
    }

    /** Writes a checkpoint as an earlier version did: state.npz, and the given training.json. */
    private static CheckpointStore.Checkpoint legacy(Path dir, Map<String, Object> training) throws Exception {
        Path step = dir.resolve("checkpoints").resolve("step-00000007");
        Files.createDirectories(step);
        Npz.write(step.resolve("state.npz"), state());
        Map<String, Object> t = new LinkedHashMap<>(training);
        if (t.containsKey(CheckpointStore.STATE_SHA256)) {
            t.put(CheckpointStore.STATE_SHA256, ContentHash.of(step.resolve("state.npz")));
        }
        Json.write(t, step.resolve("training.json"));
        Files.writeString(dir.resolve("checkpoints").resolve("latest"), "step-00000007\n");
        return new CheckpointStore(dir).latest().orElseThrow();
    }

    /** What a stopped process reports stays the newest checkpoint: later saves are refused and prune nothing. */
    @Test
    void afterClosingForShutdownNoSaveReplacesOrPrunesTheReportedCheckpoint(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(20, state(), Map.of("step", 20), 1);
        CheckpointStore.Checkpoint reported = store.closeForShutdown().orElseThrow();
        assertEquals(20, reported.step());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.save(40, state(), Map.of("step", 40), 1));
        assertTrue(e.getMessage().contains("step-00000040") && e.getMessage().contains("stopping"), e.getMessage());
        assertEquals(reported, store.latest().orElseThrow());
        assertEquals(state(), reported.state());
    }

    @Test
    void aStateNpzCheckpointWithoutAStateFileKeyStillLoads(@TempDir Path dir) throws Exception {
        CheckpointStore.Checkpoint c = legacy(dir, Map.of("step", 7));
        assertEquals(7, c.step());
        assertTrue(c.stateFile().endsWith("state.npz"));
        assertEquals(state(), c.state());
    }

    @Test
    void aHashedStateNpzCheckpointStillLoadsAndItsHashIsStillChecked(@TempDir Path dir) throws Exception {
        CheckpointStore.Checkpoint c = legacy(dir, Map.of("step", 7, CheckpointStore.STATE_FILE, "state.npz", CheckpointStore.STATE_SHA256, ""));
        assertEquals(state(), c.state());
        Map<String, HostArray> other = new LinkedHashMap<>(state());
        other.put("adam_step", HostArray.scalar(8));
        Npz.write(c.stateFile(), other);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, c::state);
        assertTrue(e.getMessage().contains("is damaged") && e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void aStateFileOutsideTheKnownNamesIsRefusedByName(@TempDir Path dir) throws Exception {
        CheckpointStore.Checkpoint c = legacy(dir, Map.of("step", 7, CheckpointStore.STATE_FILE, "../../elsewhere.npz"));
        InvalidParameterException e = assertThrows(InvalidParameterException.class, c::state);
        assertTrue(e.getMessage().contains("state_file = '../../elsewhere.npz'")
                && e.getMessage().contains("must be 'state.safetensors' or 'state.npz'"), e.getMessage());
    }
}
