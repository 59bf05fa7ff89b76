import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * Steady-state forward passes of the recipe U-Net's EMA denoiser on DJL (batch 64, labels 0..9 in
 * turn, THREADS libtorch threads, default 1, after 5 warm-up passes): the median wall time and the
 * minor page faults per pass over PASSES passes, then the same passes under libtorch's profiler, written as a Chrome trace for
 * op_self_times.py (docs/BENCHMARKS.md, "On a quiet machine, one and two threads");
 * torch_forward_profile.py is PyTorch's counterpart:
 *
 *   java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/ForwardOpProfile.java 20 djl-forward.json [THREADS]
 */
public class ForwardOpProfile {
    public static void main(String[] args) throws Exception {
        int passes = Integer.parseInt(args[0]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int batch = 64;
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % 10;
        }
        Condition condition = Condition.classes(labels);
        try (var backend = (NetworkBackend) PluginRegistry.load().createBackend("djl", Parameters.of("threads", threads));
             var model = backend.newDenoiser(BackendBenchmark.RECIPE_UNET, OptimizerSettings.defaults());
             var noise = backend.randn(new GaussianNoise(5), new int[] {batch, 1, 28, 28})) {
            Runnable pass = () -> model.ema().predict(noise, 500.0, condition).close();
            for (int i = 0; i < 5; i++) {
                pass.run();
            }
            long faults = minorFaults();
            double[] millis = new double[passes];
            for (int i = 0; i < passes; i++) {
                long start = System.nanoTime();
                pass.run();
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(millis);
            System.out.printf("threads %d, unprofiled: median %.1f ms/pass (min %.1f), %d minor faults/pass%n", threads,
                    millis[passes / 2], millis[0], (minorFaults() - faults) / passes);
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            long start = System.nanoTime();
            for (int i = 0; i < passes; i++) {
                pass.run();
            }
            System.out.printf("profiled: %.1f ms/pass%n", (System.nanoTime() - start) / 1e6 / passes);
            ai.djl.pytorch.jni.JniUtils.stopProfile(args[1]);
        }
    }

    /** The process's minor page faults so far (field 10 of /proc/self/stat). */
    private static long minorFaults() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }
}
