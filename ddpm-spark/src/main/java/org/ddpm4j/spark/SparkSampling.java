package org.ddpm4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.spark.LoadedSampler.SampleBatch;
import org.ddpm4j.spark.SamplingJob.IndexRange;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Json;

/**
 * Distributed sampling on Spark: the job's index range is cut into one contiguous range per
 * partition; each task samples its range in batches with the model its executor keeps loaded, every
 * sample keyed by its global index, so the union is exactly what {@code ddpm sample} writes for the
 * same indices on one machine, bit for bit, whatever the partitions, batches, executors or retries.
 *
 * <pre>{@code
 * SamplingJob job = SamplingJob.of(ModelRef.of("checkpoint:/data/runs/moons")
 *         .withSampler(SamplerChoice.of("ddim", Map.of("steps", 50))), 1_000_000, 7).withPartitions(64);
 * SparkSampling.toParquet(spark, job, "hdfs:///samples/moons");
 * }</pre>
 */
public final class SparkSampling {
    /** The columns: the global index, the class ({@code null} when unconditional), the flattened sample and its shape. */
    public static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.LongType, false)
            .add("class", DataTypes.IntegerType, true)
            .add("sample", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    /** The manifest Parquet output gets beside Spark's files (readers skip names starting with '_'). */
    public static final String PARQUET_MANIFEST = "_ddpm_manifest.json";

    private SparkSampling() {
    }

    /** The samples as a DataFrame of {@link #SCHEMA}, one row per sample, computed when an action runs. */
    public static Dataset<Row> samples(SparkSession spark, SamplingJob job) {
        JavaRDD<Row> rows = ranges(spark, job).flatMap(range -> rows(job, range));
        return spark.createDataFrame(rows, SCHEMA);
    }

    /**
     * Writes the samples as Parquet to {@code path} (any Hadoop file system) through Spark's output
     * committer, which keeps each task attempt's files apart and publishes them only when the job
     * succeeds; then {@value #PARQUET_MANIFEST} describing the run. An existing {@code path} is refused.
     */
    public static void toParquet(SparkSession spark, SamplingJob job, String path) {
        try {
            samples(spark, job).write().mode(SaveMode.ErrorIfExists).parquet(path);
        } catch (Exception e) {              // Spark's SparkException is checked but undeclared: catch it with the rest
            throw unwrap(e);
        }
        org.apache.hadoop.fs.Path manifest = new org.apache.hadoop.fs.Path(path, PARQUET_MANIFEST);
        try {
            FileSystem fs = manifest.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Map<String, Object> m = describe(job);
            m.put("format", "parquet: " + SCHEMA.simpleString());
            try (FSDataOutputStream out = fs.create(manifest, false)) {
                out.write(Json.write(m).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + manifest, e);
        }
    }

    /**
     * Writes the samples as float64 {@code .npy} shards, one per partition, and {@code manifest.json}
     * into {@code dir} (absent or empty; on a file system every executor sees), committing only the
     * successful attempt of each partition (see {@link NpyShards}). Returns the manifest's path.
     */
    public static Path toNpy(SparkSession spark, SamplingJob job, Path dir) {
        NpyShards.checkTarget(dir);
        Path attempts = dir.resolve(NpyShards.ATTEMPTS);
        try {
            Files.createDirectories(attempts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + attempts, e);
        }
        String attemptsDir = attempts.toAbsolutePath().toString();
        List<NpyShards.Shard> shards;
        try {
            shards = ranges(spark, job).map(range -> NpyShards.write(job, range, attemptsDir)).collect();
        } catch (Exception e) {
            try {
                AtomicFiles.deleteTree(attempts);
            } catch (IOException ignored) {
                // the job's error is the one to report; the folder holds no manifest, hence no result
            }
            throw unwrap(e);
        }
        return NpyShards.commit(job, dir, shards);
    }

    /** The job as JSON-ready values: what a manifest records so that a run can be checked and repeated. */
    static Map<String, Object> describe(SamplingJob job) {
        Map<String, Object> m = new LinkedHashMap<>();
        ModelRef ref = job.model();
        m.put("model", ref.model());
        m.put("backend", ref.backend());
        m.put("backend_parameters", ref.backendParameters());
        Map<String, Object> sampler = new LinkedHashMap<>();
        sampler.put("scheduler_config", ref.sampler().schedulerConfig());
        sampler.put("sampler", ref.sampler().sampler());
        sampler.put("schedule", ref.sampler().schedule());
        sampler.put("schedule_parameters", ref.sampler().scheduleParameters());
        sampler.put("parameters", ref.sampler().samplerParameters());
        m.put("sampler", sampler);
        m.put("guidance", ref.guidance());
        m.put("guidance_parameters", ref.guidanceParameters());
        m.put("guidance_classifier", ref.guidanceClassifier());
        m.put("n", job.n());
        m.put("first_index", job.firstIndex());
        m.put("seed", job.seed());
        m.put("classes", job.classes());
        m.put("batch", job.batch());
        m.put("partitions", job.partitions());
        return m;
    }

    /** One partition per index range, in order. */
    private static JavaRDD<IndexRange> ranges(SparkSession spark, SamplingJob job) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(job.ranges(), job.partitions());
    }

    /** The rows of one range, drawn a batch at a time as the consumer pulls them. */
    private static Iterator<Row> rows(SamplingJob job, IndexRange range) {
        RangeBatches batches = new RangeBatches(job, range);
        int[] shape = batches.sampleShape();
        return new Iterator<>() {
            private SampleBatch batch;
            private int row;

            @Override
            public boolean hasNext() {
                return batch != null && row < batch.count() || batches.hasNext();
            }

            @Override
            public Row next() {
                if (batch == null || row == batch.count()) {
                    if (!batches.hasNext()) {
                        throw new NoSuchElementException();
                    }
                    batch = batches.next();
                    row = 0;
                }
                int size = batch.sampleSize();
                double[] values = new double[size];
                System.arraycopy(batch.values(), row * size, values, 0, size);
                int label = batch.labels()[row];
                Row r = RowFactory.create(batch.first() + row, label < 0 ? null : label, values, shape);
                row++;
                return r;
            }
        };
    }

    /**
     * The error of a failed job as the user should see it: a bad parameter that an executor found
     * (a model path it cannot read, a class the model lacks) comes out as that
     * {@link InvalidParameterException}, naming the parameter and the value, with Spark's report attached;
     * any other failure as an unchecked exception with Spark's message (which names the failed task).
     */
    static RuntimeException unwrap(Exception e) {
        List<Throwable> seen = new ArrayList<>();
        for (Throwable t = e; t != null && !seen.contains(t); t = t.getCause()) {
            seen.add(t);
            if (t instanceof InvalidParameterException invalid) {
                invalid.addSuppressed(e);
                return invalid;
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
}
