package org.ddpm4j.examples.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.core.training.ArrayData;

/**
 * Fashion-MNIST (Xiao et al. 2017): 28x28 grey images of 10 kinds of clothing, 60,000 for training
 * and 10,000 for testing, read from the four IDX files (gzip or not). Debian's package
 * {@code dataset-fashion-mnist} installs them in {@link #DEFAULT_DIRECTORY}. Pixels are scaled to
 * [-1, 1], the range the forward process assumes.
 */
public final class FashionMnist {
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int SIDE = 28;

    /** The training or the test split. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    private FashionMnist() {
    }

    /**
     * Loads up to {@code limit} images (all if {@code limit <= 0}) of a split as {@code [1, 28, 28]}
     * samples with labels.
     */
    public static ArrayData load(Path directory, Split split, int limit) {
        Idx.Array images = Idx.read(find(directory, split.prefix + "-images-idx3-ubyte"), 3);
        Idx.Array labels = Idx.read(find(directory, split.prefix + "-labels-idx1-ubyte"), 1);
        if (images.dimensions()[1] != SIDE || images.dimensions()[2] != SIDE) {
            throw new InvalidParameterException("data", directory.toString(), "images are " + images.dimensions()[1] + "x"
                    + images.dimensions()[2] + ", expected 28x28");
        }
        if (images.count() != labels.count()) {
            throw new InvalidParameterException("data", directory.toString(), images.count() + " images but " + labels.count() + " labels");
        }
        int n = limit > 0 ? Math.min(limit, images.count()) : images.count();
        int d = SIDE * SIDE;
        float[] pixels = new float[n * d];
        for (int i = 0; i < n * d; i++) {
            pixels[i] = images.unsigned(i) / 127.5f - 1f;
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.unsigned(i);
            if (y[i] >= CLASS_NAMES.size()) {
                throw new InvalidParameterException("data", directory.toString(), "label " + y[i] + " of image " + i + " is not a class 0..9");
            }
        }
        return new ArrayData(pixels, new int[] {1, SIDE, SIDE}, y, CLASS_NAMES.size());
    }

    private static Path find(Path directory, String base) {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = directory.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new InvalidParameterException("data", directory.toString(), "has no " + base + "[.gz]; install the Debian package "
                + "dataset-fashion-mnist or pass --data DIR with the four IDX files");
    }
}
