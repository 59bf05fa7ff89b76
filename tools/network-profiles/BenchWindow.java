import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.training.*;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.*;
import org.ddpm4j.examples.bench.BackendBenchmark;
/**
 * The bench's U-Net training window on the DJL backend (BackendBenchmark.training: a fresh recipe U-Net,
 * 3 warm-up steps, then STEPS steps, batch 64, one thread), six times in one JVM: wall time, main-thread
 * CPU and process CPU per step over the window, to tell on a quiet machine whether the bench's wall
 * figures hold time that no CPU accounts for (docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)"):
 *
 *   ./ddpm's environment, then java -cp "$(ls ddpm-examples/target/ddpm-examples-*.jar):$(cat ddpm-examples/target/classpath.txt)" \
 *       tools/network-profiles/BenchWindow.java 6
 */
public class BenchWindow {
    public static void main(String[] a) throws Exception {
        int steps = Integer.parseInt(a[0]);
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        var mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int n = 2048, d = 784; float[] values = new GaussianNoise(3).nextFloats(n * d); int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 10;
        try (var b = (NetworkBackend) registry.createBackend("djl", Parameters.of("threads", 1))) {
            for (int r = 0; r < 6; r++) {
                long[] t = new long[3];
                TrainingListener l = new TrainingListener() {
                    @Override public void onStep(int done, int total, double loss, double lr) {
                        if (done == 3) { t[0] = System.nanoTime(); t[1] = mx.getCurrentThreadCpuTime(); t[2] = os.getProcessCpuTime(); }
                    }
                };
                TrainingSettings s = new TrainingSettings(3 + steps, 64, 1e-4, 0, false, r, 0, 1);
                try (TrainableDenoiser m = b.newDenoiser(BackendBenchmark.RECIPE_UNET, OptimizerSettings.defaults())) {
                    new Trainer(s, new ArrayData(values, new int[] {1, 28, 28}, labels, 10), b, l).trainDenoiser(m, Objective.simple(schedule), Optional.empty(), false);
                }
                System.out.printf("window of %d: wall %.1f, main CPU %.1f, process CPU %.1f ms/step%n", steps, (System.nanoTime() - t[0]) / 1e6 / steps,
                        (mx.getCurrentThreadCpuTime() - t[1]) / 1e6 / steps, (os.getProcessCpuTime() - t[2]) / 1e6 / steps);
            }
        }
    }
}
