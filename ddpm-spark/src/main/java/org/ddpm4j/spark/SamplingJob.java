package org.ddpm4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;

/**
 * A distributed sampling run: samples {@code firstIndex .. firstIndex + n - 1} of {@code model} from
 * {@code seed}, split into {@code partitions} contiguous index ranges, each sampled in batches of at
 * most {@code batch}. Sample {@code i} depends only on the model, the sampler, {@code seed} and
 * {@code i}, so the result is the same whatever the partitions, batches or executors. Batches start
 * at {@code firstIndex + k * batch} whatever the partitions (a range holds whole batches), so the rows
 * of a batch are those of {@code ddpm sample --batch B} on one machine: a network backend, whose
 * float32 kernels may round differently for another batch size, then gives the same bits too.
 *
 * @param model      what every executor loads
 * @param n          number of samples, at least 1
 * @param firstIndex global index of the first sample (a run of {@code --n N --first-index K} is rows K..K+N-1 of a larger run)
 * @param seed       the seed of the noise (the sampler's own noise uses {@code seed + 1}, as in {@code ddpm sample})
 * @param classes    null (unconditional), a class number {@code K}, or {@code all}: the classes in turn, {@code n / k} samples each
 * @param batch      the most samples a task draws at once (bounds its memory)
 * @param partitions the number of index ranges (tasks); at most one per batch, more are merged
 */
public record SamplingJob(ModelRef model, long n, long firstIndex, long seed, String classes, int batch, int partitions)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The largest batch: its noise and samples must fit a Java array. */
    public static final int MAX_BATCH = 1 << 16;

    public SamplingJob {
        if (model == null) {
            throw new InvalidParameterException("model", null, "must be a ModelRef");
        }
        if (n < 1) {
            throw new InvalidParameterException("--n", n, "must be an integer >= 1");
        }
        if (firstIndex < 0 || firstIndex > Long.MAX_VALUE - n) {
            throw new InvalidParameterException("--first-index", firstIndex, "must be an integer >= 0 with first index + n <= " + Long.MAX_VALUE);
        }
        if (batch < 1 || batch > MAX_BATCH) {
            throw new InvalidParameterException("--batch", batch, "must be an integer in 1.." + MAX_BATCH);
        }
        if (partitions < 1 || partitions > n) {
            throw new InvalidParameterException("--partitions", partitions, "must be an integer in 1..n (" + n + ")");
        }
        partitions = (int) Math.min(partitions, batchCount(n, batch));   // a range holds whole batches
        if (classes != null && !classes.equals("all") && !classes.matches("\\d{1,9}")) {
            throw new InvalidParameterException("--class", classes, "must be a class number K >= 0 or 'all'");
        }
        if ("all".equals(classes) && firstIndex != 0) {
            // 'all' spreads the classes over the run's n samples: a slice of a larger run would get other classes
            throw new InvalidParameterException("--first-index", firstIndex, "cannot be combined with --class all (as in 'ddpm sample'); "
                    + "give one class per run instead");
        }
    }

    /** {@code n} samples of {@code model} from {@code seed}, unconditional, from index 0, in batches of 256 over 1 partition per 4096 samples. */
    public static SamplingJob of(ModelRef model, long n, long seed) {
        if (n < 1) {
            throw new InvalidParameterException("--n", n, "must be an integer >= 1");
        }
        return new SamplingJob(model, n, 0, seed, null, 256, (int) Math.min(Integer.MAX_VALUE, (n + 4095) / 4096));
    }

    public SamplingJob withFirstIndex(long first) {
        return new SamplingJob(model, n, first, seed, classes, batch, partitions);
    }

    public SamplingJob withClasses(String plan) {
        return new SamplingJob(model, n, firstIndex, seed, plan, batch, partitions);
    }

    public SamplingJob withBatch(int size) {
        return new SamplingJob(model, n, firstIndex, seed, classes, size, partitions);
    }

    public SamplingJob withPartitions(int count) {
        return new SamplingJob(model, n, firstIndex, seed, classes, batch, count);
    }

    /** True when a mixture's components act as classes: a class is asked for and no classifier guides (as in {@code ddpm sample}). */
    boolean componentsAsClasses() {
        return classes != null && !"classifier".equals(model.guidance());
    }

    /** The contiguous index ranges of the partitions, in order: whole batches, counts differ by at most one batch. */
    public List<IndexRange> ranges() {
        List<IndexRange> ranges = new ArrayList<>(partitions);
        long batches = batchCount(n, batch);
        long first = firstIndex;
        for (int p = 0; p < partitions; p++) {
            long batchesHere = batches / partitions + (p < batches % partitions ? 1 : 0);
            long count = Math.min(batchesHere * batch, firstIndex + n - first);
            ranges.add(new IndexRange(p, first, count));
            first += count;
        }
        return ranges;
    }

    /** The first batch of a range that starts at {@code first}: up to the next batch boundary of the run, or the range's end. */
    int batchAt(long first, long rangeEnd) {
        long intoBatch = (first - firstIndex) % batch;
        return (int) Math.min(batch - intoBatch, rangeEnd - first);
    }

    private static long batchCount(long n, int batch) {
        return (n + batch - 1) / batch;
    }

    /**
     * The condition of samples {@code first .. first + count - 1} for a model of {@code numClasses}
     * classes; {@code all} gives sample {@code i} the class {@code min(k - 1, i / max(1, n / k))}, as
     * {@code ddpm sample --class all} does for its rows.
     */
    Condition condition(long first, int count, int numClasses) {
        if (classes == null) {
            return Condition.none();
        }
        if (numClasses == 0) {
            throw new InvalidParameterException("--class", classes, "needs a class-conditional model or classifier guidance; this model is unconditional");
        }
        int[] labels = new int[count];
        if (classes.equals("all")) {
            long perClass = Math.max(1, n / numClasses);
            for (int r = 0; r < count; r++) {
                labels[r] = (int) Math.min(numClasses - 1, (first - firstIndex + r) / perClass);
            }
            return Condition.classes(labels);
        }
        long k = Long.parseLong(classes);
        if (k >= numClasses) {
            throw new InvalidParameterException("--class", k, "must be a class number 0.." + (numClasses - 1) + " or 'all'");
        }
        return Condition.repeat((int) k, count);
    }

    /** Samples {@code first .. first + count - 1} of the run, a partition's share. */
    public record IndexRange(int partition, long first, long count) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
