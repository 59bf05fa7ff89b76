import java.nio.file.Files;
import java.nio.file.Path;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * The recipe's U-Net training speed at 1 and 2 threads in one JVM, the order alternating from round
 * to round, each measurement a fresh backend and model (docs/BENCHMARKS.md, "Two threads against one"):
 *
 *   OMP_WAIT_POLICY=PASSIVE java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/ThreadsBench.java djl 3
 */
public class ThreadsBench {
    public static void main(String[] args) throws Exception {
        String backend = args[0];
        int rounds = Integer.parseInt(args[1]);
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        var ddim = registry.createSampler("ddim", schedule, Parameters.of("steps", BackendBenchmark.DDIM_STEPS, "clip_sample", false));
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                int threads = 1 + (r + k) % 2;
                try (var b = (NetworkBackend) registry.createBackend(backend, Parameters.of("threads", threads))) {
                    double samples = new BackendBenchmark(b, schedule, ddim, 1).training("unet", BackendBenchmark.RECIPE_UNET, 64, 5)
                            .samplesPerSecond();
                    System.out.printf("%s round %d threads %d: %.1f samples/s, load %s%n", backend, r + 1, threads, samples,
                            Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                }
            }
        }
    }
}
