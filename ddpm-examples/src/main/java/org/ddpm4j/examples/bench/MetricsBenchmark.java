package org.ddpm4j.examples.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.ddpm4j.examples.data.Toy2d;
import org.ddpm4j.examples.metrics.KnnTwoSampleTest;
import org.ddpm4j.examples.metrics.ManifoldMetrics;
import org.ddpm4j.core.metrics.SampleDistances;
import org.ddpm4j.examples.metrics.SampleQuality;

/**
 * Wall time of the demo's metrics on N vs N points of the two moons (default 2,000, the demo's
 * size): each metric once per round, all in one round, rounds repeated; medians in milliseconds
 * of wall time and of the thread's CPU time (which other jobs on shared cores inflate far less).
 * Run: {@code java -cp "$(ls ddpm-examples/target/ddpm-examples-*.jar):$(cat ddpm-examples/target/classpath.txt)"
 * org.ddpm4j.examples.bench.MetricsBenchmark [N [ROUNDS]]}.
 */
public final class MetricsBenchmark {
    private MetricsBenchmark() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        double[][] x = Toy2d.MOONS.sample(n, 1);
        double[][] y = Toy2d.MOONS.sample(2 * n, 2);
        double[][] y1 = Arrays.copyOf(y, n);
        Map<String, Supplier<Object>> metrics = new LinkedHashMap<>();
        metrics.put("c2st (5-NN, 2N pooled points)", () -> KnnTwoSampleTest.accuracy(x, y1, KnnTwoSampleTest.DEFAULT_K));
        metrics.put("precision/recall/density/coverage (k=5)", () -> ManifoldMetrics.measure(y1, x, ManifoldMetrics.DEFAULT_K));
        metrics.put("energy distance (V)", () -> SampleDistances.energyDistanceV(x, y1));
        metrics.put("MMD^2 (V, median bandwidth)", () -> SampleDistances.mmdSquaredV(x, y1));
        metrics.put("SampleQuality.measure (all, with floors)", () -> SampleQuality.measure(x, y));
        double[][] ms = new double[metrics.size()][rounds];
        double[][] cpu = new double[metrics.size()][rounds];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 2; warm++) {
            metrics.values().forEach(Supplier::get);
        }
        for (int r = 0; r < rounds; r++) {
            int i = 0;
            for (Supplier<Object> m : metrics.values()) {
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                m.get();
                ms[i][r] = (System.nanoTime() - t0) / 1e6;
                cpu[i++][r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
            }
        }
        System.out.printf(Locale.ROOT, "%d vs %d points, %d rounds: median ms of wall time (min - max), median ms of CPU time%n",
                n, n, rounds);
        int i = 0;
        for (String name : metrics.keySet()) {
            double[] t = ms[i];
            double[] c = cpu[i++];
            Arrays.sort(t);
            Arrays.sort(c);
            System.out.printf(Locale.ROOT, "  %-42s %8.1f  (%.1f - %.1f)  cpu %8.1f%n", name, t[rounds / 2], t[0], t[rounds - 1], c[rounds / 2]);
        }
    }
}
