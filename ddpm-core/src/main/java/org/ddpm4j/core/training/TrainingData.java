package org.ddpm4j.core.training;

/**
 * A training set in host memory: {@code size()} samples of shape {@link #sampleShape()}, each with a
 * class label when {@link #numClasses()} {@code > 0}. Values should be scaled to about [-1, 1]
 * (the scale the forward process assumes).
 */
public interface TrainingData {

    int size();

    /** Shape of one sample, e.g. {@code [2]} or {@code [1, 28, 28]}. */
    int[] sampleShape();

    /** Number of classes; 0 for unlabeled data. */
    int numClasses();

    /** Copies sample {@code index} into {@code out} at {@code offset}. */
    void copySample(int index, float[] out, int offset);

    /** The class label of sample {@code index} (only when {@code numClasses() > 0}). */
    int label(int index);

    /** Number of values of one sample. */
    default int sampleSize() {
        int n = 1;
        for (int s : sampleShape()) {
            n *= s;
        }
        return n;
    }
}
