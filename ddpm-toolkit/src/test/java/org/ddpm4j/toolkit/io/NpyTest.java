package org.ddpm4j.toolkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    /** np.save('x.npy', np.arange(6, dtype='<f4').reshape(2, 3) * 0.5), written by NumPy 2.x. */
    private static final String NUMPY_FLOAT32_2X3 =
            "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAPwAAgD8AAMA/AAAAQAAAIEA=";

    @Test
    void readsAFileWrittenByNumPy(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.npy");
        Files.write(f, java.util.Base64.getDecoder().decode(NUMPY_FLOAT32_2X3));
        Npy.Array a = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2, 2.5}, a.data());
    }

    /** np.save of [0, 3, 1, 2] as int64, int32, uint8, big-endian int16 and uint64 (tools/npy-fixtures/integer_arrays.py). */
    private static final Map<String, String> NUMPY_INTEGER_LABELS = Map.of(
            "<i8", "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAMAAAAAAAAAAQAAAAAAAAACAAAAAAAAAA==",
            "<i4", "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAwAAAAEAAAACAAAA",
            "|u1", "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAwEC",
            ">i2", "k05VTVBZAQB2AHsnZGVzY3InOiAnPmkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAADAAEAAg==",
            "<u8", "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAMAAAAAAAAAAQAAAAAAAAACAAAAAAAAAA==");

    @Test
    void readsTheIntegerArraysNumPyWrites(@TempDir Path dir) throws Exception {
        for (Map.Entry<String, String> e : NUMPY_INTEGER_LABELS.entrySet()) {
            Path f = dir.resolve("labels.npy");
            Files.write(f, java.util.Base64.getDecoder().decode(e.getValue()));
            Npy.Array a = Npy.read(f);
            assertArrayEquals(new int[] {4}, a.shape(), e.getKey());
            assertArrayEquals(new double[] {0, 3, 1, 2}, a.data(), e.getKey());
        }
        Path max = dir.resolve("max.npy"); // np.array([2**64 - 1], dtype='<u8'): unsigned, not -1
        Files.write(max, java.util.Base64.getDecoder().decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//////////w=="));
        assertEquals(18446744073709551615.0, Npy.read(max).data()[0]);
    }

    @Test
    void roundTripsDoublesAndFloats(@TempDir Path dir) {
        double[] d = {1.0 / 3, -2.5e-7, 1e300, 0};
        Npy.writeDoubles(dir.resolve("d.npy"), d, 2, 2);
        Npy.Array a = Npy.read(dir.resolve("d.npy"));
        assertArrayEquals(d, a.data());
        assertTrue(a.doublePrecision());
        float[] f = {1.5f, -3f, 7f};
        Npy.writeFloats(dir.resolve("f.npy"), f, 3);
        assertArrayEquals(new int[] {3}, Npy.read(dir.resolve("f.npy")).shape());
        assertArrayEquals(f, Npy.read(dir.resolve("f.npy")).floats());
    }

    @Test
    void aTruncatedFileIsAClearError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.npy");
        Npy.writeDoubles(f, new double[100], 10, 10);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 9));
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Files.writeString(f, "not numpy at all");
        e = assertThrows(InvalidParameterException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void npzRoundTripsNamedArraysInOrder(@TempDir Path dir) throws Exception {
        Map<String, HostArray> arrays = new LinkedHashMap<>();
        arrays.put("weights/layer.0.weight", new HostArray(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        arrays.put("adam_step", HostArray.scalar(17));
        Path f = dir.resolve("state.npz");
        Npz.write(f, arrays);
        Map<String, HostArray> back = Npz.read(f);
        assertEquals(arrays, back);
        assertEquals(java.util.List.copyOf(arrays.keySet()), java.util.List.copyOf(back.keySet()));
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(InvalidParameterException.class, () -> Npz.read(f));
    }

    @org.junit.jupiter.api.Test
    void anArrayStreamedInChunksIsTheArrayWrittenAtOnce() throws java.io.IOException {
        double[] data = {1, -2, 3.5, 4, 5, 6.25};
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        Npy.writeDoubles(whole, data, 3, 2);
        java.io.ByteArrayOutputStream chunks = new java.io.ByteArrayOutputStream();
        Npy.writeDoublesHeader(chunks, 3, 2);
        Npy.writeDoubleValues(chunks, java.util.Arrays.copyOfRange(data, 0, 4));
        Npy.writeDoubleValues(chunks, java.util.Arrays.copyOfRange(data, 4, 6));
        org.junit.jupiter.api.Assertions.assertArrayEquals(whole.toByteArray(), chunks.toByteArray());
        Npy.Array back = Npy.read(new java.io.ByteArrayInputStream(chunks.toByteArray()), "chunks");
        org.junit.jupiter.api.Assertions.assertArrayEquals(data, back.data(), 0.0);
    }
}
