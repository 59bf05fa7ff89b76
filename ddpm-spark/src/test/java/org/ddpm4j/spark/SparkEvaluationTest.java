package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.core.metrics.FrechetDistance;
import org.ddpm4j.core.metrics.SampleDistances;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.pipeline.SamplerChoice;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.cli.Ddpm;
import org.ddpm4j.examples.data.Toy2d;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed evaluation equals the single-machine metrics on the same samples, up to the order of
 * floating-point summation: the evaluation classifier's class accuracy (exactly: counts) and Frechet
 * distance of its features (relative 1e-5: a float32 network's features depend on the rows batched
 * with them), and the energy distance and MMD of points (relative 1e-9).
 */
class SparkEvaluationTest {
    /** Eight classes on the ring of 8gaussians, so that a classifier trained on that data set has something to recognise. */
    private static final String RING = "{\"weights\": [0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125], \"means\": [[2, 0], [1.414, 1.414], [0, 2], [-1.414, 1.414], "
            + "[-2, 0], [-1.414, -1.414], [0, -2], [1.414, -1.414]], \"stds\": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]}";

    @TempDir
    static Path dir;
    private static Path classifier;
    private static SparkSession spark;
    private static Dataset<Row> samples;
    private static List<Row> rows;

    @BeforeAll
    static void samplesAndJudge() {
        classifier = dir.resolve("judge");
        assertEquals(0, Ddpm.run("train", "--dataset", "8gaussians", "--model", "classifier", "--clean", "--data-size", "2000",
                "--train-steps", "60", "--batch", "64", "--warmup", "10", "--hp", "hidden=16", "--hp", "blocks=1", "--threads", "1",
                "--seed", "3", "--progress-seconds", "0", "--out", classifier.toString()));
        Path ring = dir.resolve("ring.json");
        AtomicFiles.writeString(ring, RING);
        spark = LocalSpark.session();
        SamplingJob job = new SamplingJob(ModelRef.of("gmm:" + ring).withSampler(SamplerChoice.of("ddim", Map.of("steps", 10))),
                403, 0, 4, "all", 64, 5);
        samples = SparkSampling.samples(spark, job).cache();
        rows = samples.orderBy("index").collectAsList();
    }

    private static double[][] points(List<Row> rows) {
        return rows.stream().map(r -> SparkEvaluation.sample(r, 2)).toArray(double[][]::new);
    }

    @Test
    void classAccuracyAndFrechetDistanceOfClassifierFeaturesEqualOneMachines() {
        double[][] x = points(rows);
        int[] labels = rows.stream().mapToInt(r -> r.getInt(1)).toArray();
        double[][] reference = Toy2d.EIGHT_GAUSSIANS.sample(300, 7);
        SparkEvaluation.ClassifierStatistics generated = SparkEvaluation.classify(samples, JudgeRef.of("checkpoint:" + classifier));
        Path referenceFile = dir.resolve("reference.npy");
        Npy.writeDoubles(referenceFile, Arrays.stream(reference).flatMapToDouble(Arrays::stream).toArray(), 300, 2);
        SparkEvaluation.ClassifierStatistics real = SparkEvaluation.classify(SparkEvaluation.rows(spark, Npy.read(referenceFile), null, 3),
                JudgeRef.of("checkpoint:" + classifier));

        // one machine: the judge of 'ddpm eval' on all rows at once
        ModelSource source = ModelSource.parse("--classifier", "checkpoint:" + classifier);
        PipelineParts parts = PipelineParts.none().schedule(source.schedule(PluginRegistry.load()).orElseThrow());
        try (Pipeline pipeline = Pipelines.build(PipelineConfig.of(new ComponentConfig("djl", Map.of("threads", 1))), parts)) {
            TensorBackend backend = pipeline.backend();
            EvaluationClassifier judge = new EvaluationClassifier(pipeline.classifier(source));
            Tensor generatedTensor = backend.fromHost(Arrays.stream(x).flatMapToDouble(Arrays::stream).toArray(), x.length, 2);
            Tensor realTensor = backend.fromHost(Arrays.stream(reference).flatMapToDouble(Arrays::stream).toArray(), reference.length, 2);
            double accuracy = judge.accuracy(generatedTensor, labels);
            double fd = FrechetDistance.between(judge.features(generatedTensor), judge.features(realTensor));

            assertEquals(403, generated.features().count());
            assertEquals(403, generated.labelled());
            assertEquals(accuracy, generated.accuracy(), 0.0, "accuracy is a ratio of counts: exact");
            assertTrue(accuracy > 1.0 / 8, "the judge does better than chance on the ring's 8 classes: " + accuracy);
            // the judge's float32 features on djl depend on the rows batched together (~1e-7 relative), which moves the
            // distance by ~1e-6; the merge of the moments itself agrees to 1e-10 (MergeableMetricsTest)
            assertEquals(fd, generated.frechetDistance(real), 1e-5 * Math.abs(fd));
            assertTrue(Double.isNaN(real.accuracy()), "reference rows carry no class");
        }
    }

    @Test
    void energyDistanceAndMmdOfPointsEqualOneMachines() {
        double[][] x = points(rows);
        double[][] y = Toy2d.EIGHT_GAUSSIANS.sample(250, 8);
        SparkEvaluation.PointDistances d = SparkEvaluation.pointDistances(samples, y);
        assertEquals(403, d.samples());
        assertEquals(SampleDistances.medianDistance(x, y), d.bandwidth(), 0.0);
        assertEquals(SampleDistances.energyDistance(x, y), d.energy(), 1e-9 * Math.abs(d.energy()));
        assertEquals(SampleDistances.energyDistanceV(x, y), d.energyV(), 1e-9 * Math.abs(d.energyV()));
        assertEquals(SampleDistances.mmdSquared(x, y), d.mmd(), 1e-9 * Math.abs(d.mmd()));
        assertEquals(SampleDistances.mmdSquaredV(x, y), d.mmdV(), 1e-9 * Math.abs(d.mmdV()));
        assertTrue(d.energyV() > 0 && d.mmdV() > 0);
    }
}
