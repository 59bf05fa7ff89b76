package org.ddpm4j.examples.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.TrainingData;

/**
 * Training sets by name: the 2-D toy distributions of {@link Toy2d} (for the MLP), Fashion-MNIST
 * (for the U-Net; read from its IDX files) and arrays from NumPy files.
 */
public final class Datasets {

    private Datasets() {
    }

    /** The name of Fashion-MNIST on the command line and in model cards. */
    public static final String FASHION_MNIST = "fashion-mnist";
    private static final int DEFAULT_POINTS = 8000;

    /** Names and descriptions of the built-in datasets. */
    public static Map<String, String> builtIn() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Toy2d t : Toy2d.values()) {
            m.put(t.id(), t.description());
        }
        m.put(FASHION_MNIST, "28x28 grey images of clothing, 10 classes (IDX files in " + FashionMnist.DEFAULT_DIRECTORY + " or --data DIR)");
        return m;
    }

    public static Set<String> names() {
        return builtIn().keySet();
    }

    /** True for the built-in datasets read from files (with a test split), false for the generated ones. */
    public static boolean isFileBacked(String name) {
        return check(name).equals(FASHION_MNIST);
    }

    /**
     * The training samples of the built-in dataset {@code name}: {@code n} points generated from
     * {@code seed} for a toy distribution (8000 when {@code n} is null); the first {@code n} images
     * (all when null) for Fashion-MNIST, read from {@code directory} (null: its default location).
     */
    public static TrainingData training(String name, Path directory, Integer n, long seed) {
        if (n != null && n < 1) {
            throw new InvalidParameterException("samples", n, "must be an integer >= 1");
        }
        if (isFileBacked(name)) {
            return FashionMnist.load(directory(name, directory), FashionMnist.Split.TRAIN, n == null ? 0 : n);
        }
        if (directory != null) {
            throw new InvalidParameterException("data", directory.toString(), "is not read for the generated dataset " + name
                    + "; --data DIR goes with " + FASHION_MNIST);
        }
        return Toy2d.parse(name).data(n == null ? DEFAULT_POINTS : n, seed);
    }

    /** The first {@code n} test images of a file-backed dataset (all when {@code n <= 0}), with labels. */
    public static ArrayData test(String name, Path directory, int n) {
        if (!isFileBacked(name)) {
            throw new InvalidParameterException("dataset", name, "has no test split; evaluation needs " + FASHION_MNIST);
        }
        return FashionMnist.load(directory(name, directory), FashionMnist.Split.TEST, n);
    }

    /** The names of the classes of a built-in dataset ({@code class 0}, ... for the toy distributions). */
    public static List<String> classNames(String name) {
        if (isFileBacked(name)) {
            return FashionMnist.CLASS_NAMES;
        }
        return java.util.stream.IntStream.range(0, Toy2d.parse(name).classes()).mapToObj(i -> "class " + i).toList();
    }

    /** Where a file-backed dataset is read from: {@code directory}, or the default location. */
    public static Path directory(String name, Path directory) {
        check(name);
        return directory != null ? directory : FashionMnist.DEFAULT_DIRECTORY;
    }

    private static String check(String name) {
        if (!names().contains(name)) {
            throw new InvalidParameterException("dataset", name, "must be one of " + String.join(", ", names()));
        }
        return name;
    }

    /**
     * Samples from a NumPy array {@code [n, ...]} (one sample per row; values should be about [-1, 1])
     * and, optionally, integer class labels {@code [n]} in {@code 0..K-1} from another array.
     */
    /** Bounds the class count a labels file can ask for (the network's label embedding grows with it). */
    static final int MAX_CLASSES = ArrayData.MAX_CLASSES;

    public static TrainingData fromNpy(Path data, Path labels) {
        Npy.Array a = Npy.read(data);
        int[] shape = a.shape();
        if (shape.length < 2 || shape[0] == 0) {
            throw new InvalidParameterException("data", data.toString(), "must hold an array [n, ...] of n >= 1 samples, has shape "
                    + Arrays.toString(shape));
        }
        int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
        if (labels == null) {
            return new ArrayData(a.floats(), sample, null, 0);
        }
        double[] l = Npy.read(labels).data();
        if (l.length != shape[0]) {
            throw new InvalidParameterException("labels", labels.toString(), "holds " + l.length + " labels for " + shape[0] + " samples");
        }
        int[] y = new int[l.length];
        for (int i = 0; i < y.length; i++) {
            if (l[i] != Math.rint(l[i]) || l[i] < 0 || l[i] >= MAX_CLASSES) {
                throw new InvalidParameterException("labels", labels.toString(), "label " + l[i] + " of sample " + i
                        + " is not an integer in [0, " + MAX_CLASSES + "); labels are class indices (any integer dtype, or whole floats)");
            }
            y[i] = (int) l[i];
        }
        return new ArrayData(a.floats(), sample, y, Arrays.stream(y).max().orElse(0) + 1);
    }

    /** The same samples without their labels (for unconditional denoisers). */
    public static TrainingData unlabeled(TrainingData data) {
        return new TrainingData() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public int[] sampleShape() {
                return data.sampleShape();
            }

            @Override
            public int numClasses() {
                return 0;
            }

            @Override
            public void copySample(int index, float[] out, int offset) {
                data.copySample(index, out, offset);
            }

            @Override
            public int label(int index) {
                throw new IllegalStateException("unlabeled data has no labels");
            }
        };
    }
}
