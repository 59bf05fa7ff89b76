import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * libtorch's autograd profiler over the DJL backend's training of the recipe's U-Net (batch 64, one
 * thread; the profile covers the second model's 3 warm-up and STEPS timed steps), written as a Chrome trace (docs/BENCHMARKS.md, "Where the
 * time goes now"); op_self_times.py sums it per op, torch_op_profile.py makes PyTorch's counterpart:
 *
 *   java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/DjlOpProfile.java 4 djl-trace.json
 *   /usr/bin/python3 tools/network-profiles/op_self_times.py djl-trace.json
 */
public class DjlOpProfile {
    public static void main(String[] args) throws Exception {
        int steps = Integer.parseInt(args[0]);
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        var ddim = registry.createSampler("ddim", schedule, Parameters.of("steps", BackendBenchmark.DDIM_STEPS, "clip_sample", false));
        try (var b = (NetworkBackend) registry.createBackend("djl", Parameters.of("threads", 1))) {
            var bench = new BackendBenchmark(b, schedule, ddim, 1);
            bench.training("unet", BackendBenchmark.RECIPE_UNET, 64, 3); // first graph, kernels chosen
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            System.out.printf("%.1f samples/s%n", bench.training("unet", BackendBenchmark.RECIPE_UNET, 64, steps).samplesPerSecond());
            ai.djl.pytorch.jni.JniUtils.stopProfile(args[1]);
        }
    }
}
