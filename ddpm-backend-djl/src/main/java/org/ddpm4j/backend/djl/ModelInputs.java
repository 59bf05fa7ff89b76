package org.ddpm4j.backend.djl;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.Tensor;

/** Checks of what models are given (batch shape, times, class labels), with messages that name the input. */
final class ModelInputs {
    private ModelInputs() {
    }

    /** Requires {@code x} of shape {@code [n, sampleShape...]} (when known) and one time per sample. */
    static void check(Tensor x, double[] t, int[] sampleShape, String model) {
        int[] shape = x.shape();
        if (sampleShape != null && (shape.length != sampleShape.length + 1
                || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sampleShape))) {
            throw new InvalidParameterException("x", Tensor.describe(shape), "must have shape [batch, "
                    + Arrays.toString(sampleShape).substring(1) + " for " + model);
        }
        if (t.length != shape[0]) {
            throw new InvalidParameterException("t", t.length + " times", "must give one time per sample (" + shape[0] + ")");
        }
    }

    /**
     * One label per sample, each in {@code [0, classes)} or the null class {@code -1} (also for every
     * sample when the condition is none); a model without classes accepts the null class only.
     */
    static int[] labels(Condition condition, int n, int classes, String model) {
        condition.checkBatch(n);
        int[] labels = condition.isNone() ? Condition.repeat(Condition.NULL_CLASS, n).labels() : condition.labels();
        for (int label : labels) {
            if (label >= classes) {
                throw new InvalidParameterException("condition", condition.toString(), classes == 0
                        ? model + " is unconditional: only the null class (-1) is allowed"
                        : "labels must lie in [0, " + (classes - 1) + "] or be -1 (null class)");
            }
        }
        return labels;
    }
}
