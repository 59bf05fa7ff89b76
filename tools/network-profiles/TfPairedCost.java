import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * Paired A/B of two builds of the TensorFlow graph in one process: process CPU time per U-Net
 * training step (batch 64), per forward pass or per MLP training step (batch 256), one thread, the
 * two variants alternating round by round (ABBA), so that both see the same load; prints each
 * variant's median and range and the median of the per-round ratios a/b (docs/BENCHMARKS.md,
 * "TensorFlow: fourth pass (AVX-512)"). Across processes the same build varies by +-8 % on a
 * loaded machine; paired here, an A/A run's ratios stay within about +-10 % per round and
 * their median within 1 %. The JVM's process CPU time advanced in 10 ms ticks on the machine of
 * that section: give each variant's round at least a second (MLP steps take about 7 ms each).
 *
 * A variant is the value of the system property {@code ddpm4j.tf.variant} while its model is built
 * (graph and training graph): the code under test reads it through a temporary switch that is not
 * committed (without one, both variants are the same build: an A/A run, the noise floor). "-" is
 * the empty variant.
 *
 *   TF_ENABLE_ONEDNN_OPTS=1 java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/TfPairedCost.java train old - 14 3
 *
 * Arguments: what (train, forward, mlp), variant a, variant b, rounds, runs per variant and round.
 */
public class TfPairedCost {
    static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    public static void main(String[] args) throws Exception {
        String what = args[0]; String[] variants = {args[1].equals("-") ? "" : args[1], args[2].equals("-") ? "" : args[2]};
        int rounds = Integer.parseInt(args[3]); int per = Integer.parseInt(args[4]);
        boolean unet = !what.equals("mlp");
        NetworkSpec spec = unet ? BackendBenchmark.RECIPE_UNET : BackendBenchmark.MLP;
        int batch = unet ? 64 : 256;
        int[] shape = unet ? new int[] {batch, 1, 28, 28} : new int[] {batch, 2};
        int[] labels = new int[batch]; for (int i = 0; i < batch; i++) labels[i] = i % 10;
        Condition c = unet ? Condition.classes(labels) : Condition.none();
        double[] t = new double[batch]; Arrays.fill(t, 500); double[] w = new double[batch]; Arrays.fill(w, 1);
        try (var backend = (NetworkBackend) PluginRegistry.load().createBackend("tf", Parameters.of("threads", 1));
             Tensor x = backend.randn(new GaussianNoise(5), shape); Tensor target = backend.randn(new GaussianNoise(6), shape)) {
            List<TrainableDenoiser> models = new ArrayList<>();
            for (String v : variants) {
                System.setProperty("ddpm4j.tf.variant", v);
                TrainableDenoiser m = backend.newDenoiser(spec, OptimizerSettings.defaults());
                for (int i = 0; i < 3; i++) {
                    if (what.equals("forward")) m.ema().predict(x, 500.0, c).close();
                    else m.trainStep(new TrainingBatch(x, t, c, target, w), 1e-4, i);
                }
                models.add(m);
            }
            double[][] ms = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k0 = 0; k0 < 2; k0++) {
                    int k = r % 2 == 0 ? k0 : 1 - k0;
                    TrainableDenoiser m = models.get(k);
                    long c0 = OS.getProcessCpuTime();
                    for (int i = 0; i < per; i++) {
                        if (what.equals("forward")) m.ema().predict(x, 500.0, c).close();
                        else m.trainStep(new TrainingBatch(x, t, c, target, w), 1e-4, 10 + i);
                    }
                    ms[k][r] = (OS.getProcessCpuTime() - c0) / 1e6 / per;
                }
            }
            for (int k = 0; k < 2; k++) {
                double[] s = ms[k].clone(); Arrays.sort(s);
                System.out.printf("%s variant '%s': median %.2f ms CPU (%.2f-%.2f) over %d rounds of %d%n", what, variants[k], s[rounds / 2], s[0], s[rounds - 1], rounds, per);
            }
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) ratio[r] = ms[0][r] / ms[1][r];
            Arrays.sort(ratio);
            System.out.printf("%s a/b: median %.3f (%.3f-%.3f)%n", what, ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
            for (TrainableDenoiser m : models) m.close();
        }
    }
}
