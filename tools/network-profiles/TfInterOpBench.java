import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * TensorFlow's intra- and inter-op threads (1/1, 2/1, 2/2) in rotating order, each a fresh backend:
 * the recipe U-Net's training (batch 64, 6 timed steps after 3 warm-up) and the mean of 10 forward
 * passes of its EMA denoiser at batch 64 after 3 warm-up (docs/BENCHMARKS.md, "On a quiet machine,
 * one and two threads"):
 *
 *   java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/TfInterOpBench.java 4
 */
public class TfInterOpBench {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        var ddim = registry.createSampler("ddim", schedule, Parameters.of("steps", BackendBenchmark.DDIM_STEPS, "clip_sample", false));
        int[][] configs = {{1, 1}, {2, 1}, {2, 2}};
        Condition condition = Condition.classes(new int[64]);
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < configs.length; k++) {
                int[] threads = configs[(r + k) % configs.length];
                try (var b = (NetworkBackend) registry.createBackend("tf", Parameters.of("threads", threads[0], "inter_op_threads", threads[1]))) {
                    double train = new BackendBenchmark(b, schedule, ddim, 1).training("unet", BackendBenchmark.RECIPE_UNET, 64, 6)
                            .samplesPerSecond();
                    double forwardMillis;
                    try (var model = b.newDenoiser(BackendBenchmark.RECIPE_UNET, OptimizerSettings.defaults());
                         var noise = b.randn(new GaussianNoise(5), new int[] {64, 1, 28, 28})) {
                        for (int i = 0; i < 3; i++) {
                            model.ema().predict(noise, 500.0, condition).close();
                        }
                        long start = System.nanoTime();
                        for (int i = 0; i < 10; i++) {
                            model.ema().predict(noise, 500.0, condition).close();
                        }
                        forwardMillis = (System.nanoTime() - start) / 1e7;
                    }
                    System.out.printf("intra %d inter %d: train %.1f samples/s, forward %.1f ms%n", threads[0], threads[1], train, forwardMillis);
                }
            }
        }
    }
}
