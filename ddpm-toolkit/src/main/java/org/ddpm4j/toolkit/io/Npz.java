package org.ddpm4j.toolkit.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;

/**
 * NumPy's {@code .npz} format: a zip archive of {@code <name>.npy} entries ({@code np.savez} /
 * {@code np.load}). The neutral format of weights and checkpoints: names are parameter names,
 * arrays float32. Reading checks every entry's CRC-32, as NumPy does: a flipped bit is an error,
 * not a wrong number.
 */
public final class Npz {
    private Npz() {
    }

    /** Writes the arrays atomically, in the map's order. */
    public static void write(Path file, Map<String, HostArray> arrays) {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(1);
            for (Map.Entry<String, HostArray> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                Npy.writeFloats(zip, e.getValue().data(), e.getValue().shape());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** Reads every array, in archive order; float64 arrays are narrowed to float32. */
    public static Map<String, HostArray> read(Path file) {
        Map<String, HostArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new InvalidParameterException("file", file.toString(), "entry '" + name + "' is not a .npy array");
                }
                CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), new CRC32());
                Npy.Array a = Npy.read(in, file + ":" + name);
                in.transferTo(OutputStream.nullOutputStream()); // the CRC covers the whole entry
                if (e.getCrc() != -1 && in.getChecksum().getValue() != e.getCrc()) {
                    throw new InvalidParameterException("file", file.toString(), "entry '" + name
                            + "' fails its CRC-32 check: the file is damaged");
                }
                arrays.put(name.substring(0, name.length() - 4), new HostArray(a.shape(), a.floats()));
            }
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new InvalidParameterException("file", file.toString(), "does not exist");
        } catch (ZipException e) {
            throw new InvalidParameterException("file", file.toString(), "is not a readable .npz archive (truncated or corrupt): " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoErrors.describe(e), e);
        }
        return arrays;
    }
}
