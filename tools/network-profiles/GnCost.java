import ai.djl.engine.Engine;
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.*;
import ai.djl.pytorch.engine.*;
import ai.djl.pytorch.jni.*;
import ai.djl.training.GradientCollector;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.*;
import java.util.*;
/**
 * CPU time of the calling thread per call of traced SiLU(GroupNorm) variants (gn_variants.py) at
 * [64, C, HW, HW], 8 groups, one libtorch thread: forward ({@code fwd}) or forward and backward to the
 * input and the affine weights ({@code train}); files named native_* get an NCHW input, the others a
 * channels-last one (a permuted view of NHWC memory). Five alternating rounds, the first dropped.
 * docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)":
 *
 *   /usr/bin/python3 tools/network-profiles/gn_variants.py /tmp/gn
 *   java -cp "$(ls ddpm-examples/target/ddpm-examples-*.jar):$(cat ddpm-examples/target/classpath.txt)" \
 *       tools/network-profiles/GnCost.java fwd 20 16 28 /tmp/gn/native_16_28.pt /tmp/gn/nativecl_16_28.pt /tmp/gn/sums_16_28.pt
 */
public class GnCost {
    public static void main(String[] a) throws Exception {
        boolean train = a[0].equals("train"); int passes = Integer.parseInt(a[1]); int c = Integer.parseInt(a[2]), hw = Integer.parseInt(a[3]);
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
            JniUtils.setNumInteropThreads(1); JniUtils.setNumThreads(1);
            List<PtSymbolBlock> tr = new ArrayList<>(); List<String> names = new ArrayList<>();
            for (int i = 4; i < a.length; i++) try (InputStream in = Files.newInputStream(Path.of(a[i]))) { tr.add(JniUtils.loadModule((PtNDManager) m, in, true, false)); names.add(Path.of(a[i]).getFileName().toString()); }
            NDArray nchw = m.randomNormal(new Shape(64, c, hw, hw));
            NDArray cl = m.randomNormal(new Shape(64, hw, hw, c)).transpose(0, 3, 1, 2);
            if (train) { nchw.setRequiresGradient(true); cl.setRequiresGradient(true); }
            JniUtils.setGradMode(train);
            var mx = ManagementFactory.getThreadMXBean();
            Map<String, List<Double>> res = new LinkedHashMap<>();
            for (int round = 0; round < 5; round++) {
                for (int j = 0; j < tr.size(); j++) {
                    int k = round % 2 == 0 ? j : tr.size() - 1 - j;
                    NDArray x = names.get(k).startsWith("native_") ? nchw : cl;
                    long t0 = mx.getCurrentThreadCpuTime();
                    for (int p = 0; p < passes; p++) {
                        try (NDManager pass = m.newSubManager()) {
                            if (train) {
                                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                                    NDList out = IValueUtils.forward(tr.get(k), new NDList(x), true);
                                    NDArray loss = out.singletonOrThrow().sum();
                                    gc.backward(loss); out.close(); loss.close();
                                }
                            } else IValueUtils.forward(tr.get(k), new NDList(x), false).close();
                        }
                    }
                    if (round > 0) res.computeIfAbsent(names.get(k), q -> new ArrayList<>()).add((mx.getCurrentThreadCpuTime() - t0) / 1e6 / passes);
                }
            }
            res.forEach((n, v) -> System.out.printf("%-22s %s %s%n", n, a[0], v.stream().map(d -> String.format("%.3f", d)).toList()));
        }
    }
}
