package org.ddpm4j.spark.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.spark.SamplingJob;
import org.ddpm4j.toolkit.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ddpm-spark bench}: the {@code sample} job run several times in one session, each round
 * written to {@code --out}/round-K and deleted, to separate Spark's start, the first round (each
 * executor loads the model) and the later rounds (models kept loaded: the steady state).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time the sample job: session start, then --rounds runs of it in one session (the first loads the model on each "
                + "executor, later ones reuse it). Takes every option of 'sample'; --out is a scratch folder.",
        footer = {"", "Example (docs/BENCHMARKS.md, tools/spark/bench-sampling.sh):",
                "  ddpm-spark/spark-local bench --master local[2] --model checkpoint:runs/moons --sampler ddim --steps 50 --n 40000 "
                        + "--threads 1 --partitions 4 --batch 5000 --format npy --rounds 3 --out /tmp/bench"})
final class BenchJob extends SampleJob {

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "R", description = "Runs of the job (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public void run() {
        if (rounds < 1) {
            throw new InvalidParameterException("--rounds", rounds, "must be an integer >= 1");
        }
        SamplingJob job = job();
        long begin = System.nanoTime();
        SparkSession spark = DdpmSpark.session(parent.master);
        System.out.printf(Locale.ROOT, "session %s started in %.2f s%n", spark.sparkContext().master(), (System.nanoTime() - begin) / 1e9);
        for (int r = 1; r <= rounds; r++) {
            Path target = Path.of(out, "round-" + r);
            long started = System.nanoTime();
            write(spark, job, target.toString());
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "round %d: %d samples in %d partitions, %.3f s, %.1f samples/s%n", r, job.n(), job.partitions(),
                    seconds, job.n() / seconds);
            try {
                AtomicFiles.deleteTree(target);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + target, e);
            }
        }
    }
}
