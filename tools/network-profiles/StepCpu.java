import java.lang.management.ManagementFactory;
import java.util.*;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.training.*;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.*;
import org.ddpm4j.examples.bench.BackendBenchmark;
/**
 * Main-thread CPU ms of each of the first 24 training steps of fresh recipe U-Nets on the DJL backend,
 * trained as BackendBenchmark.training does (batch 64, the bench's 2048 Gaussian images, one thread),
 * and the wall time from the last step to the model closed: whether the bench's short windows (3-6 steps
 * after 3 warm-up steps of a fresh model) see costs that steady state does not. torch_step_cpu.py is
 * PyTorch's side. docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)":
 *
 *   OMP_WAIT_POLICY=PASSIVE java -cp "$(ls ddpm-examples/target/ddpm-examples-*.jar):$(cat ddpm-examples/target/classpath.txt)" \
 *       tools/network-profiles/StepCpu.java 3
 */
public class StepCpu {
    public static void main(String[] a) throws Exception {
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        var mx = ManagementFactory.getThreadMXBean();
        int n = 2048, d = 784; float[] values = new GaussianNoise(3).nextFloats(n * d); int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 10;
        try (var b = (NetworkBackend) registry.createBackend("djl", Parameters.of("threads", 1))) {
            for (int model = 0; model < Integer.parseInt(a[0]); model++) {
                double[] cpu = new double[24]; long[] last = {mx.getCurrentThreadCpuTime()}; long[] wall = {0};
                TrainingListener l = new TrainingListener() {
                    @Override public void onStep(int done, int total, double loss, double lr) {
                        long c = mx.getCurrentThreadCpuTime(); cpu[done - 1] = (c - last[0]) / 1e6; last[0] = c; wall[0] = System.nanoTime();
                    }
                };
                TrainingSettings s = new TrainingSettings(24, 64, 1e-4, 0, false, model, 0, 1);
                try (TrainableDenoiser m = b.newDenoiser(BackendBenchmark.RECIPE_UNET, OptimizerSettings.defaults())) {
                    last[0] = mx.getCurrentThreadCpuTime();
                    new Trainer(s, new ArrayData(values, new int[] {1, 28, 28}, labels, 10), b, l).trainDenoiser(m, Objective.simple(schedule), Optional.empty(), false);
                }
                long closed = System.nanoTime();
                StringBuilder sb = new StringBuilder("model " + model + ": after last step to closed " + String.format("%.1f ms;", (closed - wall[0]) / 1e6));
                for (double c : cpu) sb.append(String.format(" %.0f", c));
                System.out.println(sb);
            }
        }
    }
}
