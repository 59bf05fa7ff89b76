package org.ddpm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.core.training.ArrayData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IDX reader on the real Fashion-MNIST files (Debian package dataset-fashion-mnist, which
 * .ci/run installs) and on corrupted copies of them.
 */
class FashionMnistTest {
    private static final Path DIR = FashionMnist.DEFAULT_DIRECTORY;

    private static void assumeInstalled() {
        assumeTrue(Files.isDirectory(DIR), "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    }

    @Test
    void readsTheRealTestSplit() {
        assumeInstalled();
        ArrayData test = FashionMnist.load(DIR, FashionMnist.Split.TEST, 0);
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, test.sampleShape());
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) {
            counts[test.label(i)]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, counts, "the test split is balanced");
        assertEquals(9, test.label(0), "the first test image is an ankle boot");
        float[] pixels = new float[784];
        test.copySample(0, pixels, 0);
        double min = 1;
        double max = -1;
        for (float p : pixels) {
            min = Math.min(min, p);
            max = Math.max(max, p);
        }
        assertEquals(-1.0, min, 1e-6, "background pixels map to -1");
        assertTrue(max > 0.9, "the brightest pixel is near +1");
    }

    @Test
    void readsTheRealTrainingSplitHeader() {
        assumeInstalled();
        ArrayData train = FashionMnist.load(DIR, FashionMnist.Split.TRAIN, 500);
        assertEquals(500, train.size());
        assertEquals(10, train.numClasses());
    }

    @Test
    void aTruncatedFileIsAClearError(@TempDir Path dir) throws IOException {
        assumeInstalled();
        copyDecompressed(dir);
        Path images = dir.resolve("t10k-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 1000));
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("7839000"), e.getMessage());
    }

    @Test
    void aTruncatedGzipIsAClearError(@TempDir Path dir) throws IOException {
        assumeInstalled();
        byte[] bytes = Files.readAllBytes(DIR.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        Files.copy(DIR.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-images-idx3-ubyte.gz"));
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
        assertTrue(e.getMessage().contains("t10k-labels") && (e.getMessage().contains("truncated") || e.getMessage().contains("corrupt")), e.getMessage());
    }

    @Test
    void aWrongMagicNumberOrMismatchedCountsAreClearErrors(@TempDir Path dir) throws IOException {
        assumeInstalled();
        copyDecompressed(dir);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        byte[] bytes = Files.readAllBytes(labels);
        byte[] wrongMagic = bytes.clone();
        wrongMagic[2] = 0x0d; // float instead of unsigned byte
        Files.write(labels, wrongMagic);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
        assertTrue(e.getMessage().contains("magic number"), e.getMessage());
        // a label file for 9999 images next to 10000 images
        byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
        shorter[7] = (byte) (shorter[7] - 1);
        Files.write(labels, shorter);
        e = assertThrows(InvalidParameterException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
        assertTrue(e.getMessage().contains("10000 images but 9999 labels"), e.getMessage());
    }

    @Test
    void aMissingDirectoryExplainsHowToGetTheData(@TempDir Path dir) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN, 0));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }

    private static void copyDecompressed(Path dir) throws IOException {
        for (String name : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(DIR.resolve(name + ".gz")))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                Files.write(dir.resolve(name), out.toByteArray());
            }
        }
    }
}
