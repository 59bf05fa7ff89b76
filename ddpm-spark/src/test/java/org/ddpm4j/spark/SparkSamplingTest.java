package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.core.pipeline.SamplerChoice;
import org.ddpm4j.examples.cli.Ddpm;
import org.ddpm4j.spark.cli.DdpmSpark;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed sampling in {@code local[2,2]} against the single-machine CLI: the union of the
 * partitions is what {@code ddpm sample} writes, bit for bit, for an analytic mixture (java backend,
 * a stochastic sampler, guided classes) and a trained checkpoint (djl); a task that fails
 * mid-partition is retried and changes nothing; bad input fails with the parameter named.
 */
class SparkSamplingTest {
    /** Three 2-D classes; as a denoiser the exact score of the mixture. */
    private static final String MIXTURE = "{\"weights\": [0.5, 0.3, 0.2], \"means\": [[-2, 0], [2, 0.5], [0, -2]], \"stds\": [0.4, 0.4, 0.4]}";

    @TempDir
    static Path dir;
    private static Path mixture;
    private static Path checkpoint;
    private static SparkSession spark;

    @BeforeAll
    static void modelsAndSession() {
        mixture = dir.resolve("classes.json");
        AtomicFiles.writeString(mixture, MIXTURE);
        checkpoint = dir.resolve("ring");
        cli("train", "--dataset", "8gaussians", "--conditional", "--data-size", "2000", "--train-steps", "30", "--batch", "64",
                "--warmup", "10", "--hp", "hidden=16", "--hp", "blocks=1", "--threads", "1", "--seed", "3", "--progress-seconds", "0",
                "--out", checkpoint.toString());
        spark = LocalSpark.session();
    }

    @AfterEach
    void noHooks() {
        TaskHooks.reset();
    }

    private static void cli(String... args) {
        assertEquals(0, Ddpm.run(args), "ddpm " + String.join(" ", args));
    }

    /** What {@code ddpm sample ARGS --out FILE} writes. */
    private static Npy.Array cliSamples(String name, String... args) {
        Path out = dir.resolve(name + ".npy");
        List<String> all = new ArrayList<>(List.of("sample"));
        all.addAll(List.of(args));
        all.addAll(List.of("--out", out.toString()));
        cli(all.toArray(String[]::new));
        return Npy.read(out);
    }

    /** The shards of a committed npy output, concatenated in manifest order. */
    @SuppressWarnings("unchecked")
    private static double[] shards(Path manifest) {
        Map<String, Object> m = Json.readObject(manifest);
        List<Map<String, Object>> entries = (List<Map<String, Object>>) m.get("shards");
        List<Double> all = new ArrayList<>();
        long expectedFirst = ((Number) m.get("first_index")).longValue();
        for (Map<String, Object> e : entries) {
            assertEquals(expectedFirst, ((Number) e.get("first_index")).longValue(), "shards are contiguous and in order");
            Npy.Array a = Npy.read(manifest.resolveSibling((String) e.get("file")));
            assertEquals(((Number) e.get("count")).intValue(), a.shape()[0]);
            expectedFirst += a.shape()[0];
            for (double v : a.data()) {
                all.add(v);
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The rows of a DataFrame ordered by index: their samples concatenated, and their classes. */
    private static double[] values(List<Row> rows) {
        return rows.stream().flatMapToDouble(r -> Arrays.stream(SparkEvaluation.sample(r, 2))).toArray();
    }

    private static ModelRef gmm() {
        return ModelRef.of("gmm:" + mixture);
    }

    @Test
    void theUnionOfThePartitionsIsTheCliSampleBitForBit() {
        // a stochastic sampler: per-step noise too must be keyed by the sample's index, not its batch
        Npy.Array expected = cliSamples("ddpm", "--denoiser", "gmm:" + mixture, "--sampler", "ddpm", "--steps", "20", "--n", "37", "--seed", "5");
        SamplingJob job = new SamplingJob(gmm().withSampler(SamplerChoice.of("ddpm", Map.of("steps", 20))), 37, 0, 5, null, 5, 3);
        int loadsBefore = ExecutorModels.loads();
        Path manifest = SparkSampling.toNpy(spark, job, dir.resolve("ddpm-shards"));
        assertArrayEquals(expected.data(), shards(manifest), 0.0);
        assertTrue(ExecutorModels.loads() - loadsBefore <= 2, "the model is loaded once per task slot, not per task or batch: "
                + (ExecutorModels.loads() - loadsBefore));
        assertFalse(Files.exists(manifest.resolveSibling(NpyShards.ATTEMPTS)), "attempt files are gone after the commit");

        // the same samples as Parquet rows, with other partitions and batches
        String parquet = dir.resolve("ddpm.parquet").toString();
        SparkSampling.toParquet(spark, job.withPartitions(4).withBatch(3), parquet);
        List<Row> rows = spark.read().parquet(parquet).orderBy("index").collectAsList();
        assertEquals(37, rows.size());
        assertEquals(36L, rows.get(36).getLong(0));
        assertTrue(rows.get(0).isNullAt(1), "unconditional samples have no class");
        assertEquals(List.of(2), rows.get(0).getList(3));
        assertArrayEquals(expected.data(), values(rows), 0.0);
        assertTrue(Files.isRegularFile(Path.of(parquet, SparkSampling.PARQUET_MANIFEST)));
    }

    @Test
    void guidedClassesAndATrainedCheckpointMatchTheCliToo() {
        Npy.Array expected = cliSamples("cfg", "--denoiser", "gmm:" + mixture, "--sampler", "dpmsolver++", "--steps", "8", "--n", "30",
                "--seed", "2", "--class", "all", "--guidance", "cfg", "--scale", "2");
        SamplingJob job = new SamplingJob(gmm().withSampler(SamplerChoice.of("dpmsolver++", Map.of("steps", 8)))
                .withGuidance("cfg", Map.of("scale", 2.0), null), 30, 0, 2, "all", 4, 4);
        List<Row> rows = SparkSampling.samples(spark, job).orderBy("index").collectAsList();
        assertArrayEquals(expected.data(), values(rows), 0.0);
        assertEquals(List.of(0, 0, 1, 2), List.of(rows.get(0).getInt(1), rows.get(9).getInt(1), rows.get(10).getInt(1), rows.get(29).getInt(1)),
                "--class all: n / k samples per class, in turn");

        // a trained network on the djl backend, loaded from its checkpoint on the executors: libtorch's matrix products
        // may round differently for different batch sizes, so the job's batches are the command's (ranges hold whole
        // batches): the same --batch gives the same bits over any partitions, another batch size agrees to float32 rounding
        Npy.Array network = cliSamples("checkpoint", "--checkpoint", checkpoint.toString(), "--sampler", "ddim", "--steps", "10", "--n", "24",
                "--seed", "9", "--class", "3");
        Npy.Array networkIn5s = cliSamples("checkpoint-batch-5", "--checkpoint", checkpoint.toString(), "--sampler", "ddim", "--steps", "10",
                "--n", "24", "--seed", "9", "--class", "3", "--batch", "5");
        SamplingJob trained = new SamplingJob(ModelRef.of("checkpoint:" + checkpoint).withSampler(SamplerChoice.of("ddim", Map.of("steps", 10))),
                24, 0, 9, "3", 24, 1);
        assertArrayEquals(network.data(), shards(SparkSampling.toNpy(spark, trained, dir.resolve("checkpoint-one-batch"))), 0.0);
        double[] sharded = shards(SparkSampling.toNpy(spark, trained.withBatch(5).withPartitions(3), dir.resolve("checkpoint-shards")));
        assertArrayEquals(networkIn5s.data(), sharded, 0.0);
        assertArrayEquals(network.data(), sharded, 1e-5);
    }

    @Test
    void aRangeIsRowsOfTheWholeRun() {
        SamplingJob whole = new SamplingJob(gmm().withSampler(SamplerChoice.of("ddpm", Map.of("steps", 10))), 40, 0, 7, null, 8, 2);
        double[] all = values(SparkSampling.samples(spark, whole).orderBy("index").collectAsList());
        List<Row> part = SparkSampling.samples(spark, whole.withFirstIndex(25).withPartitions(1)).orderBy("index").limit(15).collectAsList();
        assertEquals(25L, part.get(0).getLong(0));
        assertArrayEquals(Arrays.copyOfRange(all, 50, 80), values(part), 0.0);
    }

    @Test
    void aTaskKilledMidPartitionIsRetriedAndWritesTheSameBytes() throws IOException {
        SamplingJob job = new SamplingJob(gmm().withSampler(SamplerChoice.of("ddpm", Map.of("steps", 10))), 30, 0, 11, null, 4, 3);
        Path clean = SparkSampling.toNpy(spark, job, dir.resolve("clean"));
        AtomicInteger killed = new AtomicInteger();
        TaskHooks.set((range, batch, attempt) -> {
            if (range.partition() == 1 && batch == 1 && attempt == 0) {
                killed.incrementAndGet();
                throw new IllegalStateException("injected failure of the first attempt after its second batch");
            }
        });
        Path retried = SparkSampling.toNpy(spark, job, dir.resolve("retried"));
        assertEquals(1, killed.get(), "the first attempt of partition 1 failed mid-partition");
        assertArrayEquals(shards(clean), shards(retried), 0.0);
        assertArrayEquals(Files.readAllBytes(clean.resolveSibling("part-00001.npy")), Files.readAllBytes(retried.resolveSibling("part-00001.npy")));
        try (var files = Files.list(retried.getParent())) {
            assertEquals(List.of("manifest.json", "part-00000.npy", "part-00001.npy", "part-00002.npy"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no attempt file is left in the result");
        }

        // Parquet through Spark's own committer: the failed attempt's rows never appear
        killed.set(0);
        String parquet = dir.resolve("retried.parquet").toString();
        SparkSampling.toParquet(spark, job, parquet);
        assertEquals(1, killed.get());
        List<Row> rows = spark.read().parquet(parquet).orderBy("index").collectAsList();
        assertEquals(30, rows.size());
        assertArrayEquals(shards(clean), values(rows), 0.0);
    }

    @Test
    void aTaskThatAlwaysFailsLeavesNoResult() {
        SamplingJob job = new SamplingJob(gmm().withSampler(SamplerChoice.of("ddim", Map.of("steps", 5))), 12, 0, 1, null, 2, 2);
        TaskHooks.set((range, batch, attempt) -> {
            if (range.partition() == 0 && batch == 2) {
                throw new IllegalStateException("injected failure of every attempt");
            }
        });
        Path out = dir.resolve("failed");
        RuntimeException e = assertThrows(RuntimeException.class, () -> SparkSampling.toNpy(spark, job, out));
        assertTrue(String.valueOf(e.getMessage()).contains("injected failure"), e.getMessage());
        assertFalse(Files.exists(out.resolve(NpyShards.MANIFEST)), "no manifest: no result");
        assertFalse(Files.exists(out.resolve(NpyShards.ATTEMPTS)), "the attempts are cleaned up");
    }

    @Test
    void theSparkSubmitMainClassSamplesAndEvaluates() {
        // in this JVM the main class finds the test's session (getOrCreate), so no second one starts
        Npy.Array expected = cliSamples("main", "--denoiser", "gmm:" + mixture, "--sampler", "ddim", "--steps", "6", "--n", "25", "--seed", "3");
        Path shards = dir.resolve("main-shards");
        assertEquals(0, DdpmSpark.run("sample", "--model", "gmm:" + mixture, "--sampler", "ddim", "--steps", "6", "--n", "25", "--seed", "3",
                "--partitions", "3", "--batch", "4", "--format", "npy", "--out", shards.toString()));
        assertArrayEquals(expected.data(), shards(shards.resolve(NpyShards.MANIFEST)), 0.0);

        String parquet = dir.resolve("main.parquet").toString();
        assertEquals(0, DdpmSpark.run("sample", "--model", "gmm:" + mixture, "--sampler", "ddim", "--steps", "6", "--n", "25", "--seed", "3",
                "--partitions", "2", "--out", parquet));
        Path reference = dir.resolve("reference.npy");
        Npy.writeDoubles(reference, expected.data(), 25, 2);
        Path report = dir.resolve("eval.json");
        assertEquals(0, DdpmSpark.run("eval", "--samples", parquet, "--points", reference.toString(), "--out", report.toString()));
        Map<String, Object> r = Json.readObject(report);
        assertEquals(reference.toString(), r.get("points"));
        assertEquals(0.0, ((Number) r.get("energy_distance_v")).doubleValue(), 1e-12, "the same points: distance 0");

        assertEquals(2, DdpmSpark.run("sample", "--model", "gmm:" + mixture, "--n", "4", "--format", "csv", "--out", dir.resolve("x").toString()),
                "a bad parameter: exit code 2 and one line naming it");
        assertEquals(2, DdpmSpark.run("eval", "--samples", parquet, "--out", report.toString()));
    }

    @Test
    void badInputIsRefusedWithTheParameterNamed() {
        ModelRef ddim = gmm().withSampler(SamplerChoice.of("ddim", Map.of("steps", 5)));
        // a model path the executors cannot read: the executor's error, by name, not Spark's stack of wrappers
        Path missing = dir.resolve("no-such-run");
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> SparkSampling.toNpy(spark,
                new SamplingJob(ModelRef.of("checkpoint:" + missing), 4, 0, 1, null, 2, 2), dir.resolve("missing")));
        assertEquals("model", e.parameter());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        e = assertThrows(InvalidParameterException.class, () -> SamplingJob.of(ddim, 0, 1));
        assertEquals("--n", e.parameter());
        e = assertThrows(InvalidParameterException.class, () -> new SamplingJob(ddim, 10, 0, 1, null, 2, 11));
        assertEquals("--partitions", e.parameter());
        e = assertThrows(InvalidParameterException.class, () -> new SamplingJob(ddim, 10, 0, 1, "x", 2, 1));
        assertEquals("--class", e.parameter());

        // the mixture has classes 0..2
        e = assertThrows(InvalidParameterException.class, () -> SparkSampling.toNpy(spark, new SamplingJob(ddim, 6, 0, 1, "3", 2, 2),
                dir.resolve("class-3")));
        assertEquals("--class", e.parameter());
        assertTrue(e.getMessage().contains("0..2"), e.getMessage());

        // a sampler whose samples depend on their batch cannot be cut into ranges
        e = assertThrows(InvalidParameterException.class, () -> SparkSampling.toNpy(spark, new SamplingJob(
                gmm().withSampler(SamplerChoice.of("ode", Map.of())), 6, 0, 1, null, 3, 2), dir.resolve("ode")));
        assertEquals("--sampler", e.parameter());

        // results are never overwritten
        e = assertThrows(InvalidParameterException.class, () -> SparkSampling.toNpy(spark, new SamplingJob(ddim, 4, 0, 1, null, 2, 2), dir));
        assertEquals("--out", e.parameter());
    }
}
