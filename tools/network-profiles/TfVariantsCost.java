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
 * {@code TfPairedCost.java} for more than two builds of the TensorFlow graph in one process: process
 * CPU time per U-Net training step (batch 64), forward pass or MLP training step (batch 256), one
 * thread, every variant run once per round in an order that rotates and reverses from round to round,
 * so that all see the same load. Prints each variant's median and range and the median, range and
 * quartiles of the per-round ratios first / this. Name the first variant again at the end: that pair
 * is an A/A run inside the same process, which also shows what being built first costs (1-3 % in
 * docs/BENCHMARKS.md, "TensorFlow: sixth pass, the update on flat vectors").
 *
 * A variant is the value of the system property {@code ddpm4j.tf.variant} while its model is built,
 * read by a temporary switch that is not committed; "-" is the empty variant.
 *
 *   TF_ENABLE_ONEDNN_OPTS=1 java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/TfVariantsCost.java train 60 3 old - flatw old
 *
 * Arguments: what (train, forward, mlp), rounds, runs per variant and round, the variants.
 */
public class TfVariantsCost {
    static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    public static void main(String[] args) throws Exception {
        String what = args[0]; int rounds = Integer.parseInt(args[1]); int per = Integer.parseInt(args[2]);
        String[] variants = Arrays.copyOfRange(args, 3, args.length);
        int n = variants.length;
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
                System.setProperty("ddpm4j.tf.variant", v.equals("-") ? "" : v);
                TrainableDenoiser m = backend.newDenoiser(spec, OptimizerSettings.defaults());
                for (int i = 0; i < 3; i++) {
                    if (what.equals("forward")) m.ema().predict(x, 500.0, c).close();
                    else m.trainStep(new TrainingBatch(x, t, c, target, w), 1e-4, i);
                }
                models.add(m);
            }
            double[][] ms = new double[n][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int j = 0; j < n; j++) {
                    int k = r % 2 == 0 ? (j + r / 2) % n : (n - 1 - j + r / 2) % n;
                    TrainableDenoiser m = models.get(k);
                    long c0 = OS.getProcessCpuTime();
                    for (int i = 0; i < per; i++) {
                        if (what.equals("forward")) m.ema().predict(x, 500.0, c).close();
                        else m.trainStep(new TrainingBatch(x, t, c, target, w), 1e-4, 10 + i);
                    }
                    ms[k][r] = (OS.getProcessCpuTime() - c0) / 1e6 / per;
                }
            }
            for (int k = 0; k < n; k++) {
                double[] s = ms[k].clone(); Arrays.sort(s);
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) ratio[r] = ms[0][r] / ms[k][r];
                Arrays.sort(ratio);
                System.out.printf("%s variant %d '%s': median %.2f ms CPU (%.2f-%.2f) over %d rounds of %d; %s/this median %.3f (%.3f-%.3f), quartiles %.3f-%.3f%n",
                        what, k, variants[k], s[rounds / 2], s[0], s[rounds - 1], rounds, per, variants[0], ratio[rounds / 2], ratio[0], ratio[rounds - 1], ratio[rounds / 4], ratio[3 * rounds / 4]);
            }
            for (TrainableDenoiser m : models) m.close();
        }
    }
}
