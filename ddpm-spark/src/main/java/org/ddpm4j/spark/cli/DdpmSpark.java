package org.ddpm4j.spark.cli;

import java.io.PrintWriter;
import org.apache.spark.sql.SparkSession;
import org.ddpm4j.api.InvalidParameterException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code spark-submit} entry point: {@code sample} draws samples over the cluster, {@code eval}
 * evaluates them. The master comes from {@code spark-submit --master} (or {@code --master} here when
 * run with plain {@code java}, e.g. {@code local[4]}).
 */
@Command(name = "ddpm-spark", mixinStandardHelpOptions = true, subcommands = {SampleJob.class, EvalJob.class, BenchJob.class, CommandLine.HelpCommand.class},
        description = "ddpm4j on Apache Spark: distributed sampling and evaluation, reproducible per sample.")
public final class DdpmSpark implements Runnable {

    @Option(names = "--master", scope = CommandLine.ScopeType.INHERIT, paramLabel = "URL",
            description = "Spark master when not run by spark-submit, e.g. local[4] (default: spark-submit's, else local[*]).")
    String master;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: sample or eval");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code: 0, 2 for a bad parameter (one line naming it), 1 for any other failure. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new DdpmSpark());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof InvalidParameterException) {
                err.println("error: " + e.getMessage());
                return 2;
            }
            err.println("error: " + e);
            e.printStackTrace(err);
            return 1;
        });
        return cl.execute(args);
    }

    /** The session: spark-submit's master, else {@code --master}, else all local cores. */
    static SparkSession session(String master) {
        SparkSession.Builder builder = SparkSession.builder().appName("ddpm4j");
        if (master != null) {
            builder.master(master);
        } else if (!new org.apache.spark.SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        return builder.getOrCreate();
    }
}
