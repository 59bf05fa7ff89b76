package org.ddpm4j.spark.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.pipeline.SamplerChoice;
import org.ddpm4j.spark.ModelRef;
import org.ddpm4j.spark.SamplingJob;
import org.ddpm4j.spark.SparkSampling;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ddpm-spark sample}: the options of {@code ddpm sample}, cut into partitions, written as Parquet or .npy shards. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Draw samples on the cluster: indices first-index .. first-index + n - 1, split into --partitions ranges; sample i "
                + "is what 'ddpm sample' gives for the same index (same model, sampler, seed).",
        footer = {"", "Examples:",
                "  spark-submit --class org.ddpm4j.spark.cli.DdpmSpark ddpm-spark.jar sample --model checkpoint:/shared/runs/moons "
                        + "--sampler ddim --steps 50 --n 1000000 --partitions 64 --out hdfs:///samples/moons.parquet",
                "  ddpm-spark/spark-local sample --master local[2] --model gmm:mixture.json --sampler ddpm --steps 50 --n 20000 "
                        + "--partitions 4 --format npy --out /tmp/shards"})
class SampleJob implements Runnable {

    static final class Choice {
        @Option(names = "--scheduler-config", paramLabel = "FILE", description = "A diffusers scheduler_config.json (_class_name picks the sampler).")
        String schedulerConfig;

        @Option(names = "--sampler", paramLabel = "NAME", description = "A sampler plugin (default " + SamplerChoice.DEFAULT_SAMPLER + ").")
        String sampler;
    }

    @ParentCommand
    DdpmSpark parent;

    @Option(names = "--model", required = true, paramLabel = "KIND:LOCATION", description = "gmm:FILE, points:FILE, checkpoint:DIR, "
            + "torchscript:FILE.pt, savedmodel:DIR or pretrained:DIR, readable by every executor.")
    String model;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice = new Choice();

    @Option(names = "--schedule", paramLabel = "NAME", description = "The schedule plugin of an analytic model (default: linear).")
    String schedule;

    @Option(names = "--schedule-param", paramLabel = "KEY=VALUE", description = "A parameter of --schedule (repeatable).")
    Map<String, String> scheduleParams = new LinkedHashMap<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter (repeatable).")
    Map<String, String> samplerParams = new LinkedHashMap<>();

    @Option(names = "--steps", paramLabel = "N", description = "Number of inference steps.")
    Integer steps;

    @Option(names = "--eta", paramLabel = "E", description = "DDIM's eta in [0, 1] (or Euler ancestral's).")
    Double eta;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--n", required = true, paramLabel = "N", description = "Number of samples.")
    long n;

    @Option(names = "--first-index", defaultValue = "0", paramLabel = "K", description = "Global index of the first sample (default ${DEFAULT-VALUE}).")
    long firstIndex;

    @Option(names = "--class", paramLabel = "K|all", description = "The class of every sample, or 'all': the classes in turn, n / k each.")
    String classes;

    @Option(names = "--guidance", paramLabel = "NAME", description = "A guidance plugin: cfg or classifier.")
    String guidance;

    @Option(names = "--scale", paramLabel = "S", description = "Guidance scale.")
    Double scale;

    @Option(names = "--guidance-param", paramLabel = "KEY=VALUE", description = "A guidance parameter (repeatable).")
    Map<String, String> guidanceParams = new LinkedHashMap<>();

    @Option(names = "--classifier", paramLabel = "KIND:LOCATION", description = "The noisy classifier of --guidance classifier.")
    String classifier;

    @Option(names = "--backend", paramLabel = "NAME", description = "Tensor backend (default: the model kind's, as in 'ddpm sample').")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "Backend compute threads per task (default 1 on djl and tf).")
    Integer threads;

    @Option(names = "--device", paramLabel = "DEVICE", description = "Backend device: cpu, gpu or gpu:N.")
    String device;

    @Option(names = "--batch", defaultValue = "256", paramLabel = "B", description = "Most samples a task draws at once (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--partitions", paramLabel = "P", description = "Index ranges (tasks) (default: one per 4096 samples).")
    Integer partitions;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|npy", description = "Output: Parquet rows (index, class, "
            + "sample, shape) or float64 .npy shards with manifest.json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "Parquet: a new path (any Hadoop file system); npy: a new or "
            + "empty folder that every executor sees.")
    String out;

    /** The job the options describe. */
    SamplingJob job() {
        if (!format.equals("parquet") && !format.equals("npy")) {
            throw new InvalidParameterException("--format", format, "must be parquet or npy");
        }
        Map<String, Object> run = new LinkedHashMap<>(KeyValues.parse(samplerParams));
        if (steps != null) {
            run.put("steps", steps);
        }
        if (eta != null) {
            run.put("eta", eta);
        }
        SamplerChoice sampler = new SamplerChoice(choice.schedulerConfig, choice.sampler, schedule, KeyValues.parse(scheduleParams), run);
        Map<String, Object> backendParameters = new LinkedHashMap<>();
        if (threads != null) {
            backendParameters.put("threads", threads);
        }
        if (device != null) {
            backendParameters.put("device", device);
        }
        Map<String, Object> guided = KeyValues.parse(guidanceParams);
        if (scale != null) {
            guided.put("scale", scale);
        }
        ModelRef ref = ModelRef.of(model).withBackend(backend, backendParameters).withSampler(sampler).withGuidance(guidance, guided, classifier);
        int p = partitions != null ? partitions : (int) Math.min(Integer.MAX_VALUE, Math.max(1, (n + 4095) / 4096));
        return new SamplingJob(ref, n, firstIndex, seed, classes, batch, p);
    }

    /** Writes the job's samples to {@code target} in the chosen format; returns what was written (the manifest for npy). */
    String write(SparkSession spark, SamplingJob job, String target) {
        if (format.equals("npy")) {
            return SparkSampling.toNpy(spark, job, Path.of(target)).toString();
        }
        SparkSampling.toParquet(spark, job, target);
        return target;
    }

    @Override
    public void run() {
        SamplingJob job = job();
        SparkSession spark = DdpmSpark.session(parent.master);
        long started = System.nanoTime();
        String written = write(spark, job, out);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "wrote %s: %d samples (indices %d..%d) in %d partitions, %.2f s, %.1f samples/s on %s%n", written, n,
                firstIndex, firstIndex + n - 1, job.partitions(), seconds, n / seconds, spark.sparkContext().master());
    }
}
