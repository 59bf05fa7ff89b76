package org.ddpm4j.examples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.ddpm4j.api.InvalidParameterException;

/**
 * The IDX format of (Fashion-)MNIST: a big-endian magic number {@code 0x0000TTDD} (type 0x08 =
 * unsigned byte, DD = number of dimensions), DD big-endian int sizes, then the data. Gzip-compressed
 * files are recognised by their own magic bytes. Every inconsistency is a clear error naming the file.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;

    /** An unsigned-byte IDX array: its dimensions and values. */
    public record Array(int[] dimensions, byte[] data) {
        public int count() {
            return dimensions[0];
        }

        /** Value {@code i} as 0..255. */
        public int unsigned(int i) {
            return data[i] & 0xff;
        }
    }

    private Idx() {
    }

    /** Reads an unsigned-byte IDX file with {@code expectedDimensions} dimensions. */
    public static Array read(Path file, int expectedDimensions) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(new DataInputStream(in), file, expectedDimensions);
        } catch (NoSuchFileException e) {
            throw new InvalidParameterException("data", file.toString(), "does not exist");
        } catch (EOFException | ZipException e) {
            throw new InvalidParameterException("data", file.toString(), "is truncated or corrupt (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Array read(DataInputStream in, Path file, int expectedDimensions) throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE) {
            throw new InvalidParameterException("data", file.toString(),
                    String.format("is not an unsigned-byte IDX file (magic number 0x%08x)", magic));
        }
        if (dims != expectedDimensions) {
            throw new InvalidParameterException("data", file.toString(), "has " + dims + " dimensions, expected " + expectedDimensions);
        }
        int[] sizes = new int[dims];
        long total = 1;
        for (int i = 0; i < dims; i++) {
            sizes[i] = in.readInt();
            if (sizes[i] <= 0) {
                throw new InvalidParameterException("data", file.toString(), "has a non-positive size " + sizes[i] + " in dimension " + i);
            }
            total *= sizes[i];
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new InvalidParameterException("data", file.toString(), "declares " + total + " values, too many");
        }
        byte[] data = new byte[(int) total];
        int read = in.readNBytes(data, 0, data.length);
        if (read < data.length) {
            throw new InvalidParameterException("data", file.toString(), "is truncated: the header " + Arrays.toString(sizes)
                    + " declares " + data.length + " values but only " + read + " are present");
        }
        if (in.read() != -1) {
            throw new InvalidParameterException("data", file.toString(), "has bytes after the " + data.length + " declared values");
        }
        return new Array(sizes, data);
    }
}
