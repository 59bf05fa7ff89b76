import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * 2x nearest upsampling of [64, C, HW, HW] in DJL's libtorch, one thread, in the forms upsample_variants.py
 * writes, in rotating order over 3 rounds: mean wall time of 20 calls without gradients, and of 20 forward
 * and backward passes (docs/BENCHMARKS.md, "DJL: the upsampling"):
 *
 *   /usr/bin/python3 tools/network-profiles/upsample_variants.py /tmp/upsample
 *   java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/UpsampleCost.java /tmp/upsample 32 14
 */
public class UpsampleCost {
    public static void main(String[] args) throws Exception {
        String[] names = {"interpolate", "broadcast", "deconv"};
        NDManager manager = Engine.getEngine("PyTorch").newBaseManager(ai.djl.Device.cpu());
        JniUtils.setNumThreads(1);
        PtSymbolBlock[] modules = new PtSymbolBlock[names.length];
        for (int i = 0; i < names.length; i++) {
            try (InputStream in = Files.newInputStream(Path.of(args[0], names[i] + ".pt"))) {
                modules[i] = JniUtils.loadModule((PtNDManager) manager, in, true, false);
            }
        }
        long channels = Long.parseLong(args[1]);
        long size = Long.parseLong(args[2]);
        NDArray x = manager.randomNormal(new Shape(64, channels, size, size));
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < names.length; k++) {
                int i = (k + round) % names.length;
                JniUtils.setGradMode(false);
                for (int w = 0; w < 3; w++) {
                    IValueUtils.forward(modules[i], new NDList(x), false).close();
                }
                long start = System.nanoTime();
                for (int r = 0; r < 20; r++) {
                    IValueUtils.forward(modules[i], new NDList(x), false).close();
                }
                double forward = (System.nanoTime() - start) / 20e3;
                JniUtils.setGradMode(true);
                double both = 0;
                for (int r = 0; r < 23; r++) {
                    try (NDManager step = manager.newSubManager(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray input = x.duplicate();
                        input.attach(step);
                        input.setRequiresGradient(true);
                        long t = System.nanoTime();
                        collector.backward(IValueUtils.forward(modules[i], new NDList(input), true).singletonOrThrow());
                        if (r >= 3) {
                            both += (System.nanoTime() - t) / 20e3;
                        }
                    }
                }
                System.out.printf("[64, %d, %d, %d] %-11s forward %5.0f us, forward + backward %5.0f us%n", channels, size, size, names[i], forward, both);
            }
        }
    }
}
