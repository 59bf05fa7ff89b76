import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * Process CPU time per forward pass, per sampling run (20-step DPM-Solver++) and per training step of
 * the recipe's U-Net at batch 64, one thread, after warm-up: the figure to compare builds by on a
 * loaded machine (docs/BENCHMARKS.md, "TensorFlow: third pass"):
 *
 *   java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/TfStepCost.java tf 20 3 20
 *
 * Arguments: backend, forward passes, sampling runs, training steps (after 3 warm-up steps).
 */
public class TfStepCost {
    private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int forwards = Integer.parseInt(args[1]);
        int samplings = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        int batch = 64;
        var spec = BackendBenchmark.RECIPE_UNET;
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        Sampler dpm = registry.createSampler("dpmsolver++", schedule, Parameters.of("steps", 20));
        try (var backend = (NetworkBackend) registry.createBackend(name, Parameters.of("threads", 1))) {
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % 10;
            }
            Condition condition = Condition.classes(labels);
            if (forwards > 0 || samplings > 0) {
                try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults());
                     Tensor noise = backend.randn(new GaussianNoise(5), new int[] {batch, 1, 28, 28})) {
                    for (int i = 0; i < 3; i++) {
                        model.ema().predict(noise, 500.0, condition).close();
                    }
                    if (forwards > 0) {
                        long c = OS.getProcessCpuTime();
                        long w = System.nanoTime();
                        for (int i = 0; i < forwards; i++) {
                            model.ema().predict(noise, 500.0, condition).close();
                        }
                        report("forward", forwards, c, w);
                    }
                    if (samplings > 0) {
                        var options = SampleOptions.defaults().withCheckFinite(false).withCondition(condition);
                        dpm.sample(model.ema(), noise, options).close();
                        long c = OS.getProcessCpuTime();
                        long w = System.nanoTime();
                        for (int i = 0; i < samplings; i++) {
                            dpm.sample(model.ema(), noise, options).close();
                        }
                        report("sampling", samplings, c, w);
                    }
                }
            }
            if (steps > 0) {
                int n = 2048;
                float[] values = new GaussianNoise(3).nextFloats(n * 784);
                int[] y = new int[n];
                for (int i = 0; i < n; i++) {
                    y[i] = i % 10;
                }
                long[] start = new long[2];
                TrainingListener clock = new TrainingListener() {
                    @Override
                    public void onStep(int done, int total, double loss, double lr) {
                        if (done == 3) {
                            start[0] = OS.getProcessCpuTime();
                            start[1] = System.nanoTime();
                        }
                    }
                };
                TrainingSettings settings = new TrainingSettings(3 + steps, batch, 1e-4, 0, false, 0, 0, 1);
                try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
                    new Trainer(settings, new ArrayData(values, spec.sampleShape(), y, 10), backend, clock)
                            .trainDenoiser(model, Objective.simple(schedule), Optional.empty(), false);
                }
                report("training step", steps, start[0], start[1]);
            }
        }
    }

    private static void report(String what, int n, long cpu0, long wall0) {
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e6 / n;
        double wall = (System.nanoTime() - wall0) / 1e6 / n;
        System.out.printf("%s: %.1f ms CPU, %.1f ms wall (x%d)%n", what, cpu, wall, n);
    }
}
