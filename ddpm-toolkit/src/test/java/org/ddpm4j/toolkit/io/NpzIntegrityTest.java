package org.ddpm4j.toolkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flipped bit in an .npz is an error, as in NumPy, not a wrong number. */
class NpzIntegrityTest {

    /** An uncompressed archive, as {@code np.savez} writes it: a flipped bit leaves the zip readable. */
    private static byte[] storedNpz(float[] values) throws Exception {
        ByteArrayOutputStream npy = new ByteArrayOutputStream();
        Npy.writeFloats(npy, values, values.length);
        byte[] entry = npy.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(entry);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            ZipEntry e = new ZipEntry("w.npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(entry.length);
            e.setCompressedSize(entry.length);
            e.setCrc(crc.getValue());
            out.putNextEntry(e);
            out.write(entry);
            out.closeEntry();
        }
        return zip.toByteArray();
    }

    @Test
    void aFlippedBitFailsTheCrcCheck(@TempDir Path dir) throws Exception {
        float[] values = {1, 2, 3, 4};
        byte[] bytes = storedNpz(values);
        Path good = dir.resolve("good.npz");
        Files.write(good, bytes);
        assertArrayEquals(values, Npz.read(good).get("w").data());

        // the last float's low mantissa byte sits just before the central directory: find it by its value
        int at = indexOf(bytes, new byte[] {0, 0, (byte) 0x80, 0x40}); // 4.0f little-endian
        bytes[at] ^= 1;
        Path bad = dir.resolve("bad.npz");
        Files.write(bad, bytes);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Npz.read(bad));
        assertTrue(e.getMessage().contains("entry 'w.npy' fails its CRC-32 check"), e.getMessage());
    }

    @Test
    void ourOwnArchivesRoundTrip(@TempDir Path dir) {
        Path file = dir.resolve("state.npz");
        Npz.write(file, Map.of("a", new HostArray(new int[] {2}, new float[] {0.5f, -1})));
        assertArrayEquals(new float[] {0.5f, -1}, Npz.read(file).get("a").data());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

}
