package org.ddpm4j.examples.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.core.io.Npy;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.TrainingData;

/**
 * Training sets by name: small labelled 2-D distributions generated from a seed (for the MLP), and
 * arrays from NumPy files. A new dataset is one more entry in {@link #GENERATORS}.
 */
public final class Datasets {

    /** Makes {@code n} labelled samples from a noise stream. */
    @FunctionalInterface
    public interface Generator {
        TrainingData generate(int n, GaussianNoise noise);
    }

    private record Entry(String description, Generator generator) {
    }

    private static final Map<String, Entry> GENERATORS = new LinkedHashMap<>();

    static {
        GENERATORS.put("moons", new Entry("two interleaving half circles (2 classes), centred, noise 0.05", Datasets::moons));
        GENERATORS.put("gaussians", new Entry("8 Gaussians (std 0.1) on a circle of radius 1.5 (8 classes)", Datasets::gaussians));
    }

    private Datasets() {
    }

    /** Names and descriptions of the built-in datasets. */
    public static Map<String, String> builtIn() {
        Map<String, String> m = new LinkedHashMap<>();
        GENERATORS.forEach((name, e) -> m.put(name, e.description()));
        return m;
    }

    public static Set<String> names() {
        return GENERATORS.keySet();
    }

    /** {@code n} samples of the built-in dataset {@code name}, the same for the same seed. */
    public static TrainingData generate(String name, int n, long seed) {
        Entry e = GENERATORS.get(name);
        if (e == null) {
            throw new InvalidParameterException("dataset", name, "unknown; built in: " + String.join(", ", GENERATORS.keySet()));
        }
        if (n < 1) {
            throw new InvalidParameterException("samples", n, "must be an integer >= 1");
        }
        return e.generator().generate(n, new GaussianNoise(seed));
    }

    /**
     * Samples from a NumPy array {@code [n, ...]} (one sample per row; values should be about [-1, 1])
     * and, optionally, integer class labels {@code [n]} in {@code 0..K-1} from another array.
     */
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
            if (l[i] != Math.rint(l[i]) || l[i] < 0) {
                throw new InvalidParameterException("labels", labels.toString(), "label " + l[i] + " of sample " + i + " is not an integer >= 0");
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

    private static TrainingData moons(int n, GaussianNoise noise) {
        float[] v = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            double angle = Math.PI * noise.nextUniform();
            double x = labels[i] == 0 ? Math.cos(angle) : 1 - Math.cos(angle);
            double y = labels[i] == 0 ? Math.sin(angle) : 0.5 - Math.sin(angle);
            v[2 * i] = (float) (x - 0.5 + 0.05 * noise.next());
            v[2 * i + 1] = (float) (y - 0.25 + 0.05 * noise.next());
        }
        return new ArrayData(v, new int[] {2}, labels, 2);
    }

    private static TrainingData gaussians(int n, GaussianNoise noise) {
        float[] v = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = noise.nextInt(8);
            double angle = 2 * Math.PI * labels[i] / 8;
            v[2 * i] = (float) (1.5 * Math.cos(angle) + 0.1 * noise.next());
            v[2 * i + 1] = (float) (1.5 * Math.sin(angle) + 0.1 * noise.next());
        }
        return new ArrayData(v, new int[] {2}, labels, 8);
    }
}
