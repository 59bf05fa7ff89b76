package org.ddpm4j.backend.tf;

import java.util.Locale;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.training.NetworkSpec;

/**
 * The TensorFlow rows of {@code docs/BENCHMARKS.md}: {@code TfBenchmark [intra_op_threads] [unet channels] [rss steps]}
 * (defaults 1, 32, 100000). See {@code tools/bench-tf.sh}.
 */
public final class TfBenchmark {
    private TfBenchmark() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rssSteps = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        DiscreteSchedule schedule = Fixtures.linear(1000);
        NetworkSpec mlp = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.empty());
        NetworkSpec unet = new NetworkSpec("unet", new int[] {1, 28, 28}, 10, Parameterization.EPSILON, Parameters.of("channels", channels));
        BackendBenchmark.SamplingLoop ddim = (model, noise, steps) -> MinimalDdim.sample(model, schedule, noise, steps,
                model.numClasses() > 0 ? Condition.repeat(0, noise.batchSize()) : Condition.none());
        try (TfBackend backend = new TfBackend(new TfSettings(false, 0, threads, 1))) {
            System.out.printf(Locale.ROOT, "TensorFlow %s, %d intra-op thread(s), %d cores%n", org.tensorflow.TensorFlow.version(), threads,
                    Runtime.getRuntime().availableProcessors());
            overhead(backend, "mlp (defaults), batch 1024", mlp, 1024, 10, ddim);
            overhead(backend, "unet (channels " + channels + ", 1x28x28, 10 classes), batch 64", unet, 64, 3, ddim);
            System.out.printf(Locale.ROOT, "| training, mlp batch 256 | %.0f samples/s |%n", BackendBenchmark.trainingThroughput(backend, mlp, schedule, 256, 300));
            System.out.printf(Locale.ROOT, "| training, unet batch 64 | %.1f samples/s |%n", BackendBenchmark.trainingThroughput(backend, unet, schedule, 64, 5));
            int runs = rssSteps / 50;
            long[] rss = BackendBenchmark.residentBytes(backend, mlp, 64, 50, ddim, 20, runs);
            System.out.printf(Locale.ROOT, "| RSS, mlp batch 64, after 1k / %dk DDIM steps | %d MB / %d MB (%+.1f %%) |%n", rssSteps / 1000,
                    rss[0] >> 20, rss[1] >> 20, 100.0 * (rss[1] - rss[0]) / rss[0]);
            System.out.printf(Locale.ROOT, "| live native tensors after the loops | %d |%n", backend.liveTensors());
        }
    }

    private static void overhead(TfBackend backend, String what, NetworkSpec spec, int batch, int repeats, BackendBenchmark.SamplingLoop ddim) {
        BackendBenchmark.Overhead o = BackendBenchmark.samplerOverhead(backend, spec, batch, 50, repeats, ddim);
        System.out.printf(Locale.ROOT, "| sampler overhead, %s | 50 forwards %.1f ms, 50-step DDIM %.1f ms, ratio %.3f |%n",
                what, o.forwardsMs(), o.runMs(), o.ratio());
    }
}
