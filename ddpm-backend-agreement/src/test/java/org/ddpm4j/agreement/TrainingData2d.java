package org.ddpm4j.agreement;

import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.core.training.ArrayData;

/** Three labelled clusters in the plane, the training data of the checkpoint tests. */
final class TrainingData2d {
    private static final double[][] CENTERS = {{-1, 0}, {1, 0.5}, {0, -1}};

    private TrainingData2d() {
    }

    /** {@code n} points; labelled (classes 0, 1, 2) or not, for an unconditional model. */
    static ArrayData clusters(int n, boolean labelled) {
        GaussianNoise noise = new GaussianNoise(3);
        float[] values = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % CENTERS.length;
            values[2 * i] = (float) (CENTERS[labels[i]][0] + 0.1 * noise.next());
            values[2 * i + 1] = (float) (CENTERS[labels[i]][1] + 0.1 * noise.next());
        }
        return labelled ? new ArrayData(values, new int[] {2}, labels, CENTERS.length) : new ArrayData(values, new int[] {2}, null, 0);
    }
}
