package org.ddpm4j.toolkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.tensor.HostArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @Test
    void readsEveryDtypeOfAFileWrittenByNumpy() throws Exception {
        Path f = Path.of(getClass().getResource("/safetensors/numpy-dtypes.safetensors").toURI());
        Safetensors st = Safetensors.open(f);
        assertEquals(List.of("f64", "f32", "f16", "bf16", "scalar"), st.names());
        assertEquals(Map.of("format", "pt"), st.metadata());
        float[] x = new float[6];
        for (int i = 0; i < 6; i++) {
            x[i] = (float) ((i - 2.5) / 3.0);
        }
        assertArrayEquals(new int[] {2, 3}, st.read("f64").shape());
        assertArrayEquals(x, st.read("f64").data());
        assertArrayEquals(x, st.read("f32").data());
        // numpy's float16 and bfloat16 (round to nearest even) of the same values
        assertArrayEquals(new float[] {-0.83349609375f, -0.5f, -0.1666259765625f, 0.1666259765625f, 0.5f, 0.83349609375f},
                st.read("f16").data());
        assertArrayEquals(new float[] {-0.83203125f, -0.5f, -0.1669921875f, 0.1669921875f, 0.5f, 0.83203125f},
                st.read("bf16").data());
        assertEquals(new HostArray(new int[0], new float[] {7f}), st.read("scalar"));
    }

    @Test
    void halfPrecisionCoversSubnormalsInfinityAndNan() {
        assertEquals(0x1p-24f, Safetensors.halfToFloat((short) 0x0001));
        assertEquals(-0f, Safetensors.halfToFloat((short) 0x8000));
        assertEquals(65504f, Safetensors.halfToFloat((short) 0x7bff));
        assertEquals(Float.NEGATIVE_INFINITY, Safetensors.halfToFloat((short) 0xfc00));
        assertTrue(Float.isNaN(Safetensors.halfToFloat((short) 0x7e00)));
    }

    @Test
    void roundTripsInOrderWithMetadata(@TempDir Path dir) {
        Map<String, HostArray> m = new LinkedHashMap<>();
        m.put("b.weight", new HostArray(new int[] {2, 2}, new float[] {1, -2, 3.5f, Float.MIN_VALUE}));
        m.put("a.bias", new HostArray(new int[] {3}, new float[] {0, 1e30f, -7}));
        m.put("empty", new HostArray(new int[] {0, 4}, new float[0]));
        Path f = dir.resolve("x.safetensors");
        Safetensors.write(f, m, Map.of("format", "pt"));
        Safetensors st = Safetensors.open(f);
        assertEquals(List.copyOf(m.keySet()), st.names());
        assertEquals(m, st.readAll());
        assertEquals("pt", st.metadata().get("format"));
    }

    @Test
    void aFailedWriteLeavesTheGoodFileAlone(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.safetensors");
        Map<String, HostArray> good = Map.of("w", new HostArray(new int[] {1}, new float[] {3}));
        Safetensors.write(f, good, null);
        byte[] before = Files.readAllBytes(f);
        Map<String, HostArray> bad = new LinkedHashMap<>();
        bad.put("__metadata__", new HostArray(new int[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, bad, null));
        assertArrayEquals(before, Files.readAllBytes(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    private static String defect(Path dir, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        return defectOf(f);
    }

    private static String defectOf(Path f) {
        return assertThrows(Safetensors.FormatException.class, () -> Safetensors.open(f)).defect();
    }

    @Test
    void refusesEachStructuralDefectByName(@TempDir Path dir) throws IOException {
        String w = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertEquals("truncated", defect(dir, w + "}", 4));
        assertEquals("trailing data", defect(dir, w + "}", 12));
        assertEquals("overlapping offsets", defect(dir, w + ",\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertEquals("out-of-range offsets", defect(dir, w + ",\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[100,104]}}", 8));
        assertEquals("out-of-range offsets", defect(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 8));
        assertEquals("out-of-range offsets", defect(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertEquals("shape/size mismatch", defect(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        assertEquals("unknown dtype", defect(dir, "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8));
        assertEquals("malformed header", defect(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]", 8));
        assertEquals("malformed header", defect(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8));

        Path f = dir.resolve("huge.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertEquals("header too large", defectOf(f));
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array());
        assertEquals("truncated", defectOf(f));
        Files.write(f, new byte[3]);
        assertEquals("truncated", defectOf(f));
    }

    @Test
    void aTruncatedCopyOfAGoodFileIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.safetensors");
        Safetensors.write(f, Map.of("w", new HostArray(new int[] {4, 4}, new float[16])), null);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 1));
        Safetensors.FormatException e = assertThrows(Safetensors.FormatException.class, () -> Safetensors.open(f));
        assertEquals("truncated", e.defect());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
