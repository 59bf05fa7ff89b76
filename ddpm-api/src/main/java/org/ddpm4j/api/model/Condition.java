package org.ddpm4j.api.model;

import java.util.Arrays;

/**
 * What a sample is conditioned on: nothing, or one class label {@code y} per sample of the batch.
 * The label {@link #NULL_CLASS} asks a class-conditional model for its unconditional prediction
 * (the "null" token of classifier-free guidance, Ho &amp; Salimans 2022).
 */
public final class Condition {
    /** The label meaning "no class": the unconditional branch of a class-conditional model. */
    public static final int NULL_CLASS = -1;

    private static final Condition NONE = new Condition(null);

    private final int[] labels;

    private Condition(int[] labels) {
        this.labels = labels;
    }

    /** Unconditional. */
    public static Condition none() {
        return NONE;
    }

    /** One class label per sample ({@link #NULL_CLASS} allowed). */
    public static Condition classes(int... labels) {
        for (int l : labels) {
            if (l < NULL_CLASS) {
                throw new IllegalArgumentException("class label " + l + " is negative (only NULL_CLASS = -1 is allowed)");
            }
        }
        return new Condition(labels.clone());
    }

    /** The same label for {@code n} samples. */
    public static Condition repeat(int label, int n) {
        int[] l = new int[n];
        Arrays.fill(l, label);
        return classes(l);
    }

    public boolean isNone() {
        return labels == null;
    }

    /** The labels, a copy; empty when unconditional. */
    public int[] labels() {
        return labels == null ? new int[0] : labels.clone();
    }

    /** Number of labels (0 when unconditional). */
    public int size() {
        return labels == null ? 0 : labels.length;
    }

    /** The same batch with every label replaced by {@link #NULL_CLASS}. */
    public Condition toNull() {
        return labels == null ? this : repeat(NULL_CLASS, labels.length);
    }

    /** The labels of this condition followed by those of {@code other} (for batching two branches). */
    public Condition concat(Condition other) {
        if (isNone() && other.isNone()) {
            return this;
        }
        if (isNone() || other.isNone()) {
            throw new IllegalArgumentException("cannot concatenate a conditional and an unconditional batch");
        }
        int[] l = Arrays.copyOf(labels, labels.length + other.labels.length);
        System.arraycopy(other.labels, 0, l, labels.length, other.labels.length);
        return new Condition(l);
    }

    /** Labels {@code from} (inclusive) to {@code to} (exclusive). */
    public Condition slice(int from, int to) {
        return isNone() ? this : new Condition(Arrays.copyOfRange(labels, from, to));
    }

    /** Fails unless there is exactly one label per sample of a batch of {@code batchSize}, or none. */
    public void checkBatch(int batchSize) {
        if (labels != null && labels.length != batchSize) {
            throw new IllegalArgumentException("condition has " + labels.length + " labels for a batch of " + batchSize);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && Arrays.equals(labels, c.labels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return labels == null ? "Condition.none" : "Condition" + Arrays.toString(labels);
    }
}
