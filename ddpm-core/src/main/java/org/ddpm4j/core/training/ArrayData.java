package org.ddpm4j.core.training;

import java.util.Arrays;

/** A {@link TrainingData} over one flat float array (row-major samples) and optional labels. */
public final class ArrayData implements TrainingData {
    /**
     * The most classes a data set may have: every class costs a row of the networks' label
     * embeddings (and its optimizer state), and labels beyond this are more likely a wrong column
     * than a real class.
     */
    public static final int MAX_CLASSES = 100_000;

    private final float[] values;
    private final int[] sampleShape;
    private final int[] labels;
    private final int numClasses;
    private final int sampleSize;

    /**
     * @param values      samples, row-major, {@code size * prod(sampleShape)} values
     * @param sampleShape shape of one sample
     * @param labels      one label per sample, or null for unlabeled data
     * @param numClasses  number of classes (0 when unlabeled)
     */
    public ArrayData(float[] values, int[] sampleShape, int[] labels, int numClasses) {
        int d = 1;
        for (int s : sampleShape) {
            d *= s;
        }
        if (d == 0 || values.length % d != 0) {
            throw new IllegalArgumentException(values.length + " values do not make whole samples of shape " + Arrays.toString(sampleShape));
        }
        int n = values.length / d;
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " samples");
        }
        if ((labels == null) != (numClasses == 0)) {
            throw new IllegalArgumentException("labels are given exactly when numClasses > 0");
        }
        if (numClasses > MAX_CLASSES) {
            throw new org.ddpm4j.api.InvalidParameterException("labels", numClasses + " classes", "at most " + MAX_CLASSES
                    + " classes are supported (labels 0.." + (MAX_CLASSES - 1) + ")");
        }
        if (labels != null) {
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= numClasses) {
                    throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " outside [0, " + numClasses + ")");
                }
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new org.ddpm4j.api.InvalidParameterException("data", values[i], "sample " + i / d + " (value " + i % d
                        + " of it) is not finite; training data must hold finite numbers only");
            }
        }
        this.values = values;
        this.sampleShape = sampleShape.clone();
        this.labels = labels;
        this.numClasses = numClasses;
        this.sampleSize = d;
    }

    /** Unlabeled points, one row each. */
    public static ArrayData ofPoints(double[][] points) {
        int d = points[0].length;
        float[] v = new float[points.length * d];
        for (int i = 0; i < points.length; i++) {
            for (int j = 0; j < d; j++) {
                v[i * d + j] = (float) points[i][j];
            }
        }
        return new ArrayData(v, new int[] {d}, null, 0);
    }

    @Override
    public int size() {
        return values.length / sampleSize;
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public void copySample(int index, float[] out, int offset) {
        System.arraycopy(values, index * sampleSize, out, offset, sampleSize);
    }

    @Override
    public int label(int index) {
        if (labels == null) {
            throw new IllegalStateException("unlabeled data has no labels");
        }
        return labels[index];
    }
}
