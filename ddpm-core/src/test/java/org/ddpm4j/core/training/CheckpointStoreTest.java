package org.ddpm4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.tensor.HostArray;
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
    void savesTheStateAsSafetensorsByName(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(7, state(), Map.of("step", 7), 2);
        CheckpointStore.Checkpoint c = store.latest().orElseThrow();
        assertEquals("state.safetensors", c.stateFile().getFileName().toString());
        assertEquals(state(), Safetensors.read(c.stateFile()));
        assertEquals(state(), c.state());
    }

    @Test
    void aCheckpointOfAnEarlierVersionWithStateNpzStillLoads(@TempDir Path dir) throws Exception {
        Path step = dir.resolve("checkpoints").resolve("step-00000007");
        Files.createDirectories(step);
        Npz.write(step.resolve("state.npz"), state());
        Json.write(Map.of("step", 7), step.resolve("training.json"));
        Files.writeString(dir.resolve("checkpoints").resolve("latest"), "step-00000007\n");
        CheckpointStore.Checkpoint c = new CheckpointStore(dir).latest().orElseThrow();
        assertEquals(7, c.step());
        assertTrue(c.stateFile().endsWith("state.npz"));
        assertEquals(state(), c.state());
    }
}
