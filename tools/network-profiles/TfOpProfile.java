import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.examples.bench.BackendBenchmark;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;

/**
 * TensorFlow's own per-op self times (step statistics of {@code RunOptions.trace_level FULL_TRACE})
 * of the bench's networks, one thread unless told, after warm-up, summed per op type and divided by the runs
 * (docs/BENCHMARKS.md, "TensorFlow: fourth pass"). Tracing slows each op a little; read the shares.
 *
 *   TF_ENABLE_ONEDNN_OPTS=1 java -cp "$(cat ddpm-examples/target/classpath.txt):$(ls ddpm-examples/target/ddpm-examples-*.jar)" \
 *       tools/network-profiles/TfOpProfile.java unet-train 10
 *
 * Arguments: what (unet-train, unet-forward, mlp-train) and how many traced runs; {@code -Ddetail=OpType}
 * also lists the nodes of that op type with their times; {@code -Dthreads=N} and {@code -Dinter=N} set the
 * intra- and inter-op threads (default 1, and the backend's default for the inter-op threads).
 */
public class TfOpProfile {
    private static final Pattern OP = Pattern.compile("= ([A-Za-z0-9_]+)\\(");
    private static final Map<String, long[]> BY_OP = new HashMap<>();   // op type -> {micros, count}
    private static final Map<String, long[]> BY_NODE = new HashMap<>();   // node name of op type DETAIL -> {micros, count}
    private static final String DETAIL = System.getProperty("detail", "");
    private static long nodes;

    public static void main(String[] args) throws Exception {
        String what = args[0];
        int runs = Integer.parseInt(args[1]);
        Field trace = Class.forName("org.ddpm4j.backend.tf.Run").getDeclaredField("trace");
        trace.setAccessible(true);
        Consumer<RunMetadata> sink = TfOpProfile::add;
        PluginRegistry registry = PluginRegistry.load();
        DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
        Parameters threads = Parameters.of("threads", Integer.getInteger("threads", 1));
        if (Integer.getInteger("inter") != null) {
            threads = Parameters.of("threads", Integer.getInteger("threads", 1), "inter_op_threads", Integer.getInteger("inter"));
        }
        try (var backend = (NetworkBackend) registry.createBackend("tf", threads)) {
            if (what.equals("unet-forward")) {
                int batch = 64;
                int[] labels = new int[batch];
                for (int i = 0; i < batch; i++) {
                    labels[i] = i % 10;
                }
                try (TrainableDenoiser model = backend.newDenoiser(BackendBenchmark.RECIPE_UNET, OptimizerSettings.defaults());
                     Tensor noise = backend.randn(new GaussianNoise(5), new int[] {batch, 1, 28, 28})) {
                    for (int i = 0; i < 3; i++) {
                        model.ema().predict(noise, 500.0, Condition.classes(labels)).close();
                    }
                    trace.set(null, sink);
                    for (int i = 0; i < runs; i++) {
                        model.ema().predict(noise, 500.0, Condition.classes(labels)).close();
                    }
                    trace.set(null, null);
                }
            } else {
                boolean unet = what.equals("unet-train");
                NetworkSpec spec = unet ? BackendBenchmark.RECIPE_UNET : BackendBenchmark.MLP;
                int batch = unet ? 64 : 256;
                int n = 2048;
                int size = unet ? 784 : 2;
                float[] values = new GaussianNoise(3).nextFloats(n * size);
                int[] y = new int[n];
                for (int i = 0; i < n; i++) {
                    y[i] = i % 10;
                }
                TrainingListener start = new TrainingListener() {
                    @Override
                    public void onStep(int done, int total, double loss, double lr) {
                        if (done == 3) {
                            try {
                                trace.set(null, sink);
                            } catch (IllegalAccessException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                };
                TrainingSettings settings = new TrainingSettings(3 + runs, batch, 1e-4, 0, false, 0, 0, 1);
                try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
                    new Trainer(settings, new ArrayData(values, spec.sampleShape(), unet ? y : null, unet ? 10 : 0), backend, start)
                            .trainDenoiser(model, Objective.simple(schedule), Optional.empty(), false);
                }
                trace.set(null, null);
            }
        }
        long total = BY_OP.values().stream().mapToLong(v -> v[0]).sum();
        System.out.printf("%s: %d traced runs, %.1f ms of op time per run, %d op executions per run%n",
                what, runs, total / 1e3 / runs, nodes / runs);
        BY_OP.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e ->
                System.out.printf("  %-36s %9.2f ms %5.1f %% %6d x%n", e.getKey(), e.getValue()[0] / 1e3 / runs,
                        100.0 * e.getValue()[0] / total, e.getValue()[1] / runs));
        BY_NODE.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e ->
                System.out.printf("    %-70s %8.2f ms%n", e.getKey(), e.getValue()[0] / 1e3 / runs));
    }

    private static synchronized void add(RunMetadata metadata) {
        StepStats stats = metadata.getStepStats();
        for (var device : stats.getDevStatsList()) {
            for (NodeExecStats node : device.getNodeStatsList()) {
                Matcher m = OP.matcher(node.getTimelineLabel());
                String op = m.find() ? m.group(1) : node.getNodeName();
                long[] sum = BY_OP.computeIfAbsent(op, k -> new long[2]);
                sum[0] += node.getAllEndRelMicros();
                sum[1]++;
                nodes++;
                if (op.equals(DETAIL)) {
                    BY_NODE.computeIfAbsent(node.getNodeName(), k -> new long[2])[0] += node.getAllEndRelMicros();
                }
            }
        }
    }
}
