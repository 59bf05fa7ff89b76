package org.ddpm4j.spark;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.spark.LoadedSampler.SampleBatch;
import org.ddpm4j.spark.SamplingJob.IndexRange;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.ContentHash;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;

/**
 * Samples as {@code .npy} shards, one per partition, and a {@code manifest.json}, committed the way
 * Hadoop's output committers do it: each task attempt streams its shard into a file of its own under
 * {@code _attempts/}; when the whole job has succeeded the driver renames the one successful attempt
 * of each partition to {@code part-NNNNN.npy}, writes the manifest (the commit marker: a folder
 * without it holds no result) and deletes {@code _attempts/}. A failed, killed or speculative attempt
 * therefore never becomes part of the result. The folder must be on a file system every executor and
 * the driver see (NFS, a mounted bucket); Parquet output ({@link SparkSampling#toParquet}) also writes
 * to HDFS and object stores.
 */
final class NpyShards {
    static final String MANIFEST = "manifest.json";
    static final String ATTEMPTS = "_attempts";

    /** What a task attempt wrote: its range, its file under {@code _attempts/}, the shard's shape and SHA-256. */
    record Shard(int partition, long first, long count, String file, int[] shape, String sha256) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private NpyShards() {
    }

    /** The driver's check before any task runs: never mix a new result into an existing one. */
    static void checkTarget(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidParameterException("--out", dir.toString(), "is a file; name a new folder for the shards");
        }
        try (var entries = Files.exists(dir) ? Files.list(dir) : java.util.stream.Stream.<Path>empty()) {
            if (entries.findAny().isPresent()) {
                throw new InvalidParameterException("--out", dir.toString(), "is not empty; name a new (or empty) folder, results are never overwritten");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /** Task side: samples {@code range} into an attempt file of its own. */
    static Shard write(SamplingJob job, IndexRange range, String attemptsDir) {
        RangeBatches batches = new RangeBatches(job, range);
        int[] sample = batches.sampleShape();
        int[] shape = new int[sample.length + 1];
        shape[0] = Math.toIntExact(range.count());
        System.arraycopy(sample, 0, shape, 1, sample.length);
        TaskContext task = TaskContext.get();
        String name = String.format(Locale.ROOT, "part-%05d.stage-%d.attempt-%d.task-%d.npy", range.partition(),
                task == null ? 0 : task.stageAttemptNumber(), task == null ? 0 : task.attemptNumber(), task == null ? 0 : task.taskAttemptId());
        Path file = Path.of(attemptsDir, name);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            Npy.writeDoublesHeader(out, shape);
            while (batches.hasNext()) {
                SampleBatch b = batches.next();
                Npy.writeDoubleValues(out, b.values());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shard " + file, e);
        }
        return new Shard(range.partition(), range.first(), range.count(), file.toString(), shape, ContentHash.of(file));
    }

    /** Driver side, after every task succeeded: moves the winning attempts in place, then writes the manifest. */
    static Path commit(SamplingJob job, Path dir, List<Shard> shards) {
        List<Shard> ordered = new ArrayList<>(shards);
        ordered.sort(Comparator.comparingInt(Shard::partition));
        List<Map<String, Object>> entries = new ArrayList<>();
        try {
            for (Shard s : ordered) {
                String name = String.format(Locale.ROOT, "part-%05d.npy", s.partition());
                AtomicFiles.move(Path.of(s.file()), dir.resolve(name));
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("file", name);
                e.put("first_index", s.first());
                e.put("count", s.count());
                e.put("sha256", s.sha256());
                entries.add(e);
            }
            AtomicFiles.deleteTree(dir.resolve(ATTEMPTS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the shards in " + dir, e);
        }
        Map<String, Object> manifest = SparkSampling.describe(job);
        manifest.put("format", "npy float64, row-major, one shard per partition, rows in index order");
        manifest.put("sample_shape", Arrays.stream(ordered.get(0).shape()).skip(1).boxed().toList());
        manifest.put("shards", entries);
        Path file = dir.resolve(MANIFEST);
        AtomicFiles.writeString(file, Json.write(manifest));
        return file;
    }
}
