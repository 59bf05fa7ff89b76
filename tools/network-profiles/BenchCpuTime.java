import java.lang.management.*;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.sampling.*;
import org.ddpm4j.api.tensor.*;
import org.ddpm4j.api.training.*;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * CPU time of the calling thread for the work of one versus-torch round on the DJL backend (-Dbackend=tf
 * -Dcpu=process for TensorFlow), for A/B
 * runs of two builds or environments on a loaded machine (docs/BENCHMARKS.md, "DJL: third pass"):
 * per recipe U-Net training step (batch 64, UNET_STEPS after 3 warm-up, counted together), per EMA
 * forward pass (5), one 20-step DPM-Solver++ sampling (batch 64), and per MLP step (batch 256).
 *
 *   OMP_WAIT_POLICY=PASSIVE java -Dab.label=after -cp "$(ls ddpm-examples/target/ddpm-examples-*.jar):$(cat ddpm-examples/target/classpath.txt)" \
 *       tools/network-profiles/BenchCpuTime.java 5 100
 */
public class BenchCpuTime {
    /** CPU ms of this thread, or of the whole process with -Dcpu=process (TensorFlow computes on threads of its own). */
    static double cpu() {
        return "process".equals(System.getProperty("cpu"))
                ? ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e6
                : ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e6;
    }
    public static void main(String[] a) throws Exception {
        int unetSteps = Integer.parseInt(a[0]), mlpSteps = Integer.parseInt(a[1]);
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        var ddim = registry.createSampler("ddim", schedule, Parameters.of("steps", 50, "clip_sample", false));
        Sampler dpm = registry.createSampler("dpmsolver++", schedule, Parameters.of("steps", 20));
        try (var b = (NetworkBackend) registry.createBackend(System.getProperty("backend", "djl"), Parameters.of("threads", 1))) {
            var bench = new BackendBenchmark(b, schedule, ddim, 1);
            bench.training("unet", BackendBenchmark.RECIPE_UNET, 64, 3);
            double c0 = cpu();
            bench.training("unet", BackendBenchmark.RECIPE_UNET, 64, unetSteps);
            double train = (cpu() - c0) / (unetSteps + 3);
            double fwd, sample;
            try (TrainableDenoiser model = b.newDenoiser(BackendBenchmark.RECIPE_UNET, OptimizerSettings.defaults());
                 Tensor noise = b.randn(new GaussianNoise(5), new int[] {64, 1, 28, 28})) {
                int[] labels = new int[64];
                for (int i = 0; i < 64; i++) labels[i] = i % 10;
                Condition c = Condition.classes(labels);
                model.ema().predict(noise, 500.0, c).close();
                c0 = cpu();
                for (int i = 0; i < 5; i++) model.ema().predict(noise, 500.0, c).close();
                fwd = (cpu() - c0) / 5;
                c0 = cpu();
                dpm.sample(model.ema(), noise, SampleOptions.defaults().withCheckFinite(false).withCondition(c)).close();
                sample = cpu() - c0;
            }
            bench.training("mlp", BackendBenchmark.MLP, 256, 10);
            c0 = cpu();
            bench.training("mlp", BackendBenchmark.MLP, 256, mlpSteps);
            double mlp = (cpu() - c0) / (mlpSteps + Math.max(3, mlpSteps / 10));
            System.out.printf("RESULT %s train %.1f ms/step, forward %.1f ms, sampling %.0f ms, mlp %.3f ms/step%n",
                    System.getProperty("ab.label"), train, fwd, sample, mlp);
        }
    }
}
