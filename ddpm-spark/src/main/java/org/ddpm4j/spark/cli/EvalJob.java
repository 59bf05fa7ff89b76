package org.ddpm4j.spark.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.spark.JudgeRef;
import org.ddpm4j.spark.SparkEvaluation;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.toolkit.io.OutputPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ddpm-spark eval}: the statistics of {@code ddpm eval} (and of points) over samples written by {@code sample}, merged from partial sums. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate Parquet samples of 'ddpm-spark sample': class accuracy and FD-classifier of an evaluation classifier's "
                + "features against reference data, and/or the energy distance and MMD of points against reference points.",
        footer = {"", "Examples:",
                "  spark-submit --class org.ddpm4j.spark.cli.DdpmSpark ddpm-spark.jar eval --samples hdfs:///samples/fashion.parquet "
                        + "--classifier checkpoint:/shared/runs/fashion-eval --reference /shared/test-images.npy --out eval.json",
                "  ddpm-spark/spark-local eval --master local[2] --samples /tmp/moons.parquet --points heldout.npy --out eval.json"})
final class EvalJob implements Runnable {

    @ParentCommand
    DdpmSpark parent;

    @Option(names = "--samples", required = true, paramLabel = "PATH", description = "Parquet samples written by 'ddpm-spark sample --format parquet'.")
    String samples;

    @Option(names = "--classifier", paramLabel = "checkpoint:DIR", description = "The evaluation classifier (ddpm train --model classifier --clean).")
    String classifier;

    @Option(names = "--reference", paramLabel = "FILE.npy", description = "Real data [n, ...] for the classifier's reference features.")
    Path reference;

    @Option(names = "--points", paramLabel = "FILE.npy", description = "Reference points [m, d] for the energy distance and MMD.")
    Path points;

    @Option(names = "--backend", defaultValue = "djl", paramLabel = "NAME", description = "Backend of the classifier (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "The statistics as JSON.")
    Path out;

    @Override
    public void run() {
        OutputPaths.checkFile("--out", out, ".json");
        if (classifier == null && points == null) {
            throw new InvalidParameterException("--classifier", "missing", "give --classifier (with --reference) and/or --points");
        }
        if ((classifier == null) != (reference == null)) {
            throw new InvalidParameterException(classifier == null ? "--classifier" : "--reference", "missing",
                    "--classifier and --reference go together: the features of samples are compared with those of real data");
        }
        SparkSession spark = DdpmSpark.session(parent.master);
        Dataset<Row> rows = spark.read().parquet(samples);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("samples", samples);
        if (classifier != null) {
            JudgeRef judge = new JudgeRef(classifier, backend, Map.of());
            SparkEvaluation.ClassifierStatistics generated = SparkEvaluation.classify(rows, judge);
            SparkEvaluation.ClassifierStatistics real = SparkEvaluation.classify(SparkEvaluation.rows(spark, Npy.read(reference), null,
                    spark.sparkContext().defaultParallelism()), judge);
            report.put("classifier", classifier);
            report.put("reference", reference.toString());
            report.put("count", generated.features().count());
            report.put("class_accuracy", generated.labelled() == 0 ? null : generated.accuracy());
            report.put("fd_classifier", generated.frechetDistance(real));
        }
        if (points != null) {
            Npy.Array y = Npy.read(points);
            if (y.shape().length != 2) {
                throw new InvalidParameterException("--points", points.toString(), "must hold points of shape [m, d]");
            }
            int d = y.shape()[1];
            double[][] reference = new double[y.shape()[0]][];
            for (int i = 0; i < reference.length; i++) {
                reference[i] = java.util.Arrays.copyOfRange(y.data(), i * d, (i + 1) * d);
            }
            SparkEvaluation.PointDistances distances = SparkEvaluation.pointDistances(rows, reference);
            report.put("points", points.toString());
            report.put("energy_distance", distances.energy());
            report.put("energy_distance_v", distances.energyV());
            report.put("mmd2", distances.mmd());
            report.put("mmd2_v", distances.mmdV());
            report.put("mmd_bandwidth", distances.bandwidth());
        }
        Json.write(report, out);
        System.out.println(Json.write(report));
        System.out.println("wrote " + out);
    }
}
