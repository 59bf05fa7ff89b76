package org.ddpm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TorchComparisonTest {
    /** A participant whose figures are fixed per round, recording when it ran. */
    private static java.util.function.Supplier<BackendBenchmark.Round> fake(String name, List<String> order, double[] train) {
        int[] call = {0};
        return () -> {
            order.add(name);
            double t = train[call[0]++];
            return new BackendBenchmark.Round(t, 2 * t, 100 / t, 10 * t);
        };
    }

    @Test
    void roundsRotateAndRatiosArePerRoundAgainstPyTorch() {
        List<String> order = new ArrayList<>();
        TorchComparison c = new TorchComparison("torch", fake("torch", order, new double[] {10, 20, 40}))
                .add("a", fake("a", order, new double[] {5, 30, 40}));
        String table = c.run(3, 64, new PrintWriter(new StringWriter())).toMarkdown();
        assertEquals(List.of("torch", "a", "a", "torch", "torch", "a"), order, "each participant goes first in turn");
        // per-round ratios a/torch: 0.5, 1.5, 1.0 -> median 1.00, min 0.50, max 1.50 (not the ratio of medians, 30/20)
        assertTrue(table.contains("**30.0** (5.0-40.0); **1.00x** PyTorch (0.50-1.50)"), table);
        // forward time, lower is better: torch's time over a's, the same ratios
        assertTrue(table.contains("U-Net forward, batch 64 (ms) | **5** (3-10) | **3** (3-20); **1.00x** PyTorch (0.50-1.50)"), table);
    }
}
