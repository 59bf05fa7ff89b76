package org.ddpm4j.api.tensor;

import org.ddpm4j.api.InvalidParameterException;

/**
 * The noise of a batch of samples at one step of a run, drawn per sample: row {@code r} of the
 * batch holds the numbers of {@link GaussianNoise#forSample GaussianNoise.forSample(seed,
 * firstIndex + r, step)}, where {@code firstIndex} is the global index of the batch's first sample.
 * A row's numbers do not depend on the batch it is computed in, so a run cut into batches,
 * partitions or threads in any way, on any backend, gives every sample the same noise. Several
 * draws continue every row's stream. Not thread-safe.
 */
public final class SampleNoise {
    private final GaussianNoise[] rows;

    /** The noise of samples {@code firstIndex .. firstIndex + rows - 1} at step {@code step}. */
    public SampleNoise(long seed, long firstIndex, int rows, long step) {
        checkRange(firstIndex, rows);
        this.rows = new GaussianNoise[rows];
        for (int r = 0; r < rows; r++) {
            this.rows[r] = GaussianNoise.forSample(seed, firstIndex + r, step);
        }
    }

    /**
     * The initial noise {@code x_T} of {@code shape[0]} samples from {@code firstIndex} on, each of
     * shape {@code shape[1..]} (step {@link GaussianNoise#INITIAL_STEP}).
     */
    public static Tensor initial(TensorBackend backend, long seed, long firstIndex, int... shape) {
        return new SampleNoise(seed, firstIndex, batchOf(shape), GaussianNoise.INITIAL_STEP).randn(backend, shape);
    }

    /** Requires {@code firstIndex >= 0} and indices {@code firstIndex .. firstIndex + rows - 1} that fit in a long. */
    public static void checkRange(long firstIndex, long rows) {
        if (firstIndex < 0) {
            throw new InvalidParameterException("firstIndex", firstIndex, "must be >= 0 (the global index of the batch's first sample)");
        }
        if (rows < 0 || firstIndex > Long.MAX_VALUE - rows) {
            throw new InvalidParameterException("firstIndex", firstIndex, "with a batch of " + rows
                    + " samples must leave every index <= " + Long.MAX_VALUE);
        }
    }

    /** The number of samples (rows). */
    public int rows() {
        return rows.length;
    }

    /** The next {@code rowLength} numbers of every row, row after row (row-major {@code [rows, rowLength]}). */
    public float[] nextFloats(int rowLength) {
        if (rowLength < 0) {
            throw new IllegalArgumentException("rowLength " + rowLength + " < 0");
        }
        float[] out = new float[Math.multiplyExact(rows.length, rowLength)];
        int k = 0;
        for (GaussianNoise row : rows) {
            for (int j = 0; j < rowLength; j++) {
                out[k++] = (float) row.next();
            }
        }
        return out;
    }

    /** A tensor of {@code shape} ({@code shape[0]} = {@link #rows()}) holding the next numbers of every row. */
    public Tensor randn(TensorBackend backend, int... shape) {
        if (batchOf(shape) != rows.length) {
            throw new IllegalArgumentException("noise of shape " + Tensor.describe(shape) + " for " + rows.length + " samples");
        }
        int rowLength = rows.length == 0 ? 0 : Math.toIntExact(Tensor.elementCount(shape) / rows.length);
        return backend.fromHost(nextFloats(rowLength), shape);
    }

    private static int batchOf(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("per-sample noise needs a batch axis; the shape is a scalar");
        }
        return shape[0];
    }
}
