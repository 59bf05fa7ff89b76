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
import ai.djl.training.GradientCollector;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time of the calling thread per forward pass ({@code fwd}, no gradients) or per forward and
 * backward pass ({@code train}: the gradient of the mean square of the output with respect to every
 * parameter) of TorchScript traces of the recipe U-Net (make_traced_unet.py) in DJL's libtorch, at
 * batch 64, one libtorch thread, in alternating rounds (-Drounds, default 4; the first is warm-up).
 * -Dprofile=DIR writes libtorch's profile of round 2 per trace (op_self_times.py reads it).
 * docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)":
 *
 *   /usr/bin/python3 tools/network-profiles/make_traced_unet.py /tmp/traced
 *   OMP_WAIT_POLICY=PASSIVE java -cp "$(ls ddpm-examples/target/ddpm-examples-*.jar):$(cat ddpm-examples/target/classpath.txt)" \
 *       tools/network-profiles/TraceCost.java train 3 /tmp/traced/nchw.pt /tmp/traced/cl_sums.pt
 */
public class TraceCost {
    public static void main(String[] a) throws Exception {
        boolean train = switch (a[0]) {
            case "fwd" -> false;
            case "train" -> true;
            default -> throw new IllegalArgumentException("mode '" + a[0] + "': allowed fwd, train");
        };
        int passes = Integer.parseInt(a[1]);
        String profile = System.getProperty("profile");
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
            JniUtils.setNumInteropThreads(1); // after the engine has loaded its natives
            JniUtils.setNumThreads(1);
            List<PtSymbolBlock> traces = new ArrayList<>();
            for (int i = 2; i < a.length; i++) {
                try (InputStream in = Files.newInputStream(Path.of(a[i]))) {
                    traces.add(JniUtils.loadModule((PtNDManager) m, in, true, false));
                }
            }
            NDList inputs = new NDList(m.randomNormal(new Shape(64, 1, 28, 28)), m.full(new Shape(64), 500f),
                    m.arange(0, 64, 1, DataType.INT64).mod(10));
            JniUtils.setGradMode(train);
            var clock = ManagementFactory.getThreadMXBean();
            for (int round = 0; round < Integer.getInteger("rounds", 4); round++) {
                for (int j = 0; j < traces.size(); j++) {
                    int k = round % 2 == 0 ? j : traces.size() - 1 - j;
                    boolean profiled = profile != null && round == 2;
                    if (profiled) {
                        JniUtils.startProfile(false, true, false);
                    }
                    long cpu = clock.getCurrentThreadCpuTime();
                    for (int p = 0; p < passes; p++) {
                        try (NDManager pass = m.newSubManager()) {
                            if (train) {
                                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                                    NDList out = IValueUtils.forward(traces.get(k), inputs, true);
                                    NDArray loss = out.singletonOrThrow().square().mean();
                                    gc.backward(loss);
                                    out.close();
                                    loss.close();
                                }
                            } else {
                                IValueUtils.forward(traces.get(k), inputs, false).close();
                            }
                        }
                    }
                    double ms = (clock.getCurrentThreadCpuTime() - cpu) / 1e6 / passes;
                    if (profiled) {
                        JniUtils.stopProfile(profile + "/" + Path.of(a[k + 2]).getFileName() + "." + a[0] + ".json");
                    }
                    System.out.printf("round %d %-40s %7.1f ms CPU per %s%n", round, a[k + 2], ms, a[0]);
                }
            }
        }
    }
}
