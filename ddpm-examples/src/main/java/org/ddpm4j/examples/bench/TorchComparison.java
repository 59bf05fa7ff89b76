package org.ddpm4j.examples.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The backends and PyTorch side by side on the same four figures ({@link BackendBenchmark.Round}), in
 * rounds whose order rotates (each participant goes first equally often), so that every ratio to
 * PyTorch is from rounds run back to back under the same machine load. Reports per participant the
 * median of the rounds with their min-max, and per backend the median (min-max) of the per-round
 * ratios to PyTorch (higher is faster; for the forward time, PyTorch's time over the backend's).
 */
public final class TorchComparison {
    /** The figures of the table: name, value, and whether higher is better. */
    private record Figure(String row, ToDoubleFunction<BackendBenchmark.Round> value, boolean higherIsBetter, String format) {
    }

    private final Map<String, Supplier<BackendBenchmark.Round>> participants = new LinkedHashMap<>();
    private final String reference;

    /** @param reference the column of PyTorch, which the ratios are to */
    public TorchComparison(String reference, Supplier<BackendBenchmark.Round> torch) {
        this.reference = reference;
        participants.put(reference, torch);
    }

    public TorchComparison add(String column, Supplier<BackendBenchmark.Round> round) {
        participants.put(column, round);
        return this;
    }

    /** Runs {@code rounds} rounds and returns the table; progress lines go to {@code progress}. */
    public ComparisonTable run(int rounds, int batch, PrintWriter progress) {
        List<String> columns = new ArrayList<>(participants.keySet());
        Map<String, List<BackendBenchmark.Round>> results = new LinkedHashMap<>();
        columns.forEach(c -> results.put(c, new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < columns.size(); k++) {
                String column = columns.get((r + k) % columns.size());
                BackendBenchmark.Round round = participants.get(column).get();
                results.get(column).add(round);
                progress.println("round " + (r + 1) + " | " + column + " | " + round + " | load " + load());
                progress.flush();
            }
        }
        List<Figure> figures = List.of(
                new Figure(String.format(Locale.ROOT, "U-Net training, batch %d (samples/s)", batch), BackendBenchmark.Round::unetTrainSamplesPerSecond, true, "%.1f"),
                new Figure(String.format(Locale.ROOT, "U-Net sampling, 20-step DPM-Solver++, batch %d (images/s)", batch),
                        BackendBenchmark.Round::unetSampleImagesPerSecond, true, "%.1f"),
                new Figure(String.format(Locale.ROOT, "U-Net forward, batch %d (ms)", batch), BackendBenchmark.Round::unetForwardMillis, false, "%.0f"),
                new Figure("MLP training, batch 256 (samples/s)", BackendBenchmark.Round::mlpTrainSamplesPerSecond, true, "%,.0f"));
        ComparisonTable table = new ComparisonTable();
        double[] torch;
        for (Figure f : figures) {
            torch = values(results.get(reference), f.value());
            for (String column : columns) {
                double[] v = values(results.get(column), f.value());
                String cell = "**" + String.format(Locale.ROOT, f.format(), BackendBenchmark.median(v)) + "** ("
                        + String.format(Locale.ROOT, f.format(), min(v)) + "-" + String.format(Locale.ROOT, f.format(), max(v)) + ")";
                if (!column.equals(reference)) {
                    double[] ratio = new double[v.length];
                    for (int i = 0; i < v.length; i++) {
                        ratio[i] = f.higherIsBetter() ? v[i] / torch[i] : torch[i] / v[i];
                    }
                    cell += String.format(Locale.ROOT, "; **%.2fx** PyTorch (%.2f-%.2f)", BackendBenchmark.median(ratio), min(ratio), max(ratio));
                }
                table.put(f.row(), column, cell);
            }
        }
        return table;
    }

    private static double[] values(List<BackendBenchmark.Round> rounds, ToDoubleFunction<BackendBenchmark.Round> f) {
        return rounds.stream().mapToDouble(f).toArray();
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** The 1-minute load average (Linux), for the progress lines. */
    static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }
}
