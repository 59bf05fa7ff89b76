import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;

/**
 * One forward pass of the recipe U-Net at batch 64 without gradients, on the DJL backend and as
 * TorchScript traces of the same network (make_traced_unet.py) in the same libtorch, in alternating
 * rounds: CPU time of the calling thread and its minor page faults per pass (docs/BENCHMARKS.md,
 * "DJL: third pass"). One libtorch thread.
 *
 *   /usr/bin/python3 tools/network-profiles/make_traced_unet.py /tmp/traced
 *   OMP_WAIT_POLICY=PASSIVE java -cp "$(ls ddpm-examples/target/ddpm-examples-*.jar):$(cat ddpm-examples/target/classpath.txt)" \
 *       tools/network-profiles/ForwardFaults.java 5 /tmp/traced/nchw.pt [more traces]
 */
public class ForwardFaults {
    public static void main(String[] args) throws IOException {
        int passes = Integer.parseInt(args[0]);
        PluginRegistry registry = PluginRegistry.load();
        try (var backend = (NetworkBackend) registry.createBackend("djl", Parameters.of("threads", 1));
             TrainableDenoiser model = backend.newDenoiser(BackendBenchmark.RECIPE_UNET, OptimizerSettings.defaults());
             Tensor noise = backend.randn(new GaussianNoise(5), new int[] {64, 1, 28, 28});
             NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            int[] labels = new int[64];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 10;
            }
            Condition condition = Condition.classes(labels);
            List<String> names = new ArrayList<>(List.of("djl"));
            List<PtSymbolBlock> traces = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                try (InputStream in = Files.newInputStream(Path.of(args[i]))) {
                    traces.add(JniUtils.loadModule((PtNDManager) manager, in, true, false));
                }
                names.add(args[i]);
            }
            NDList inputs = new NDList(manager.randomNormal(new Shape(64, 1, 28, 28)), manager.full(new Shape(64), 500f),
                    manager.arange(0, 64, 1, DataType.INT64).mod(10));
            JniUtils.setGradMode(false);
            for (int round = 0; round < 4; round++) {
                for (int j = 0; j < names.size(); j++) {
                    int k = round % 2 == 0 ? j : names.size() - 1 - j;
                    long faults = minorFaults();
                    long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                    for (int p = 0; p < passes; p++) {
                        if (k == 0) {
                            model.ema().predict(noise, 500.0, condition).close();
                        } else {
                            try (NDManager pass = manager.newSubManager()) {
                                NDList out = IValueUtils.forward(traces.get(k - 1), inputs, false);
                                out.close();
                            }
                        }
                    }
                    System.out.printf("round %d %-28s %7.1f ms CPU, %6d faults per pass%n", round, names.get(k),
                            (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu) / 1e6 / passes,
                            (minorFaults() - faults) / passes);
                }
            }
        }
    }

    /** Minor page faults of the calling thread (field 10 of /proc/thread-self/stat). */
    private static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
