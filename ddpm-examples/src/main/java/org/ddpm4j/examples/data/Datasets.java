package org.ddpm4j.examples.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.core.io.Npy;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.TrainingData;

/**
 * Training sets by name: the 2-D toy distributions of {@link Toy2d} (for the MLP) and arrays from
 * NumPy files.
 */
public final class Datasets {

    private Datasets() {
    }

    /** Names and descriptions of the built-in datasets. */
    public static Map<String, String> builtIn() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Toy2d t : Toy2d.values()) {
            m.put(t.id(), t.description());
        }
        return m;
    }

    public static Set<String> names() {
        return builtIn().keySet();
    }

    /** {@code n} samples of the built-in dataset {@code name}, the same for the same seed. */
    public static TrainingData generate(String name, int n, long seed) {
        return Toy2d.parse(name).data(n, seed);
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
}
