package org.ddpm4j.examples.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.pipeline.Noise;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.core.metrics.FrechetDistance;
import org.ddpm4j.examples.plot.Chart;
import org.ddpm4j.examples.plot.Figure;
import org.ddpm4j.examples.plot.ImageGrid;
import org.ddpm4j.toolkit.io.Npy;

/**
 * Samples {@code perClass} samples of every class at every guidance scale (one unguided run for an
 * unconditional model under cfg), every scale from the same noise, and judges each set with an
 * evaluation classifier: the class accuracy of the samples and the Frechet distance of the
 * classifier's features of samples and of reference data. With an output folder it also writes one
 * image grid per scale and, for two scales or more, {@code guidance.png}.
 */
public final class GuidanceSweep {
    private final DoubleFunction<Sampler> samplers;
    private final Guide guide;
    private final int perClass;
    private final List<Double> scales;
    private final long seed;
    private final Function<String, StepListener> progress;
    private Straightness straightness;

    /** A measure of a guided model's paths from the sweep's noise under its options (class condition, seed). */
    @FunctionalInterface
    public interface Straightness {
        double of(Denoiser guided, Tensor noise, SampleOptions options);
    }

    /**
     * @param progress the listener of the run labelled by its argument (e.g. {@code w=3}); {@code label -> StepListener.NONE} for none
     */
    public GuidanceSweep(Sampler sampler, Guide guide, int perClass, List<Double> scales, long seed, Function<String, StepListener> progress) {
        this(w -> sampler, guide, perClass, scales, seed, progress);
    }

    /**
     * A sweep whose sampler may differ per scale ({@code samplers} at scale {@code w}; e.g. a step
     * schedule tuned under that guidance).
     */
    public GuidanceSweep(DoubleFunction<Sampler> samplers, Guide guide, int perClass, List<Double> scales, long seed,
                         Function<String, StepListener> progress) {
        if (perClass < 1) {
            throw new IllegalArgumentException("perClass must be >= 1, not " + perClass);
        }
        for (double w : scales) {
            if (!(w >= 0)) {
                throw new IllegalArgumentException("guidance scales must be >= 0, not " + w);
            }
        }
        this.samplers = samplers;
        this.guide = guide;
        this.perClass = perClass;
        this.scales = List.copyOf(scales);
        this.seed = seed;
        this.progress = progress;
    }

    /** Also reports {@code straightness} per scale: {@code measure} of the guided model from the same noise and condition. */
    public GuidanceSweep withStraightness(Straightness measure) {
        this.straightness = measure;
        return this;
    }

    /**
     * One row per scale: {@code guidance}, {@code scale} and {@code class_accuracy} (guided only),
     * {@code fd_classifier}, {@code samples}, {@code seconds}, and when {@code out} is not null
     * {@code grid}, {@code features} and {@code predicted} (the judge's features {@code [n, F]} and
     * classes {@code [n]} of the samples, class {@code i / perClass} asked of sample {@code i}; with the
     * test images' features in {@code test-features.npy}); each row is also printed on {@code console}.
     */
    public List<Map<String, Object>> run(TensorBackend backend, EvaluationClassifier judge, double[][] reference, Path out,
                                         PrintWriter console) {
        int n = perClass * Math.max(1, guide.classes());
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i / perClass;
        }
        Condition condition = guide.guided() ? Condition.classes(labels) : Condition.none();
        List<Double> ws = guide.guided() ? scales : List.of(Double.NaN);
        List<Map<String, Object>> rows = new ArrayList<>();
        console.printf(Locale.ROOT, "%10s  %8s  %10s  %14s  %8s%n", "guidance", "scale", "accuracy", "FD-classifier", "seconds");
        for (double w : ws) {
            long started = System.nanoTime();
            try (TensorScope scope = backend.openScope()) {
                Tensor samples = sample(w, backend, n, condition);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("guidance", guide.name());
                int[] predicted = judge.predict(samples);
                double[][] features = judge.features(samples);
                if (guide.guided()) {
                    row.put("scale", w);
                    row.put("class_accuracy", EvaluationClassifier.accuracy(predicted, labels));
                }
                row.put("fd_classifier", FrechetDistance.between(features, reference));
                row.put("samples", n);
                row.put("seconds", (System.nanoTime() - started) / 1e9);
                if (straightness != null) {
                    row.put("straightness", straightness.of(guide.at().apply(w), noise(w, backend, n), options(condition)));
                }
                if (out != null) {
                    String name = guide.guided() ? String.format(Locale.ROOT, "samples-%s%s.png", guide.symbol(), trim(w)) : "samples.png";
                    ImageGrid.save(out.resolve(name), samples.toHost(), Math.max(1, guide.classes()), perClass, 2);
                    row.put("grid", name);
                    // per sample, for paired comparisons of runs from the same noise and a bootstrap of FD-classifier
                    String suffix = guide.guided() ? String.format(Locale.ROOT, "-%s%s", guide.symbol(), trim(w)) : "";
                    writeRows(out.resolve("features" + suffix + ".npy"), features);
                    Npy.writeDoubles(out.resolve("predicted" + suffix + ".npy"), java.util.Arrays.stream(predicted).asDoubleStream().toArray(), n);
                    row.put("features", "features" + suffix + ".npy");
                    row.put("predicted", "predicted" + suffix + ".npy");
                }
                rows.add(row);
                print(row, console);
            }
        }
        if (out != null && rows.size() > 1) {
            plot(rows, out.resolve("guidance.png"));
        }
        if (out != null) {
            writeRows(out.resolve("test-features.npy"), reference);
        }
        return rows;
    }

    /** {@code rows [n][F]} as one {@code [n, F]} array. */
    private static void writeRows(Path file, double[][] rows) {
        int f = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * f];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * f, f);
        }
        Npy.writeDoubles(file, flat, rows.length, f);
    }

    /** {@code n} samples of the denoiser guided at scale {@code w}, every scale from the same noise. */
    private Tensor sample(double w, TensorBackend backend, int n, Condition condition) {
        Denoiser guided = guide.at().apply(w);
        Tensor x = noise(w, backend, n);
        String label = guide.guided() ? guide.symbol() + "=" + trim(w) : "sample";
        try (SamplingRun run = samplers.apply(w).start(guided, x, options(condition).withListener(progress.apply(label)))) {
            while (!run.isDone()) {
                run.step();
            }
            return run.result();
        }
    }

    private Tensor noise(double w, TensorBackend backend, int n) {
        return Noise.seeded(guide.at().apply(w), backend, n, seed);
    }

    private SampleOptions options(Condition condition) {
        return SampleOptions.defaults().withSeed(seed + 1).withCondition(condition);
    }

    private static void print(Map<String, Object> row, PrintWriter console) {
        console.printf(Locale.ROOT, "%10s  %8s  %10s  %14.3f  %8.1f%n", row.get("guidance"),
                row.containsKey("scale") ? trim((double) row.get("scale")) : "-",
                row.containsKey("class_accuracy") ? String.format(Locale.ROOT, "%.1f %%", 100 * (double) row.get("class_accuracy")) : "-",
                (double) row.get("fd_classifier"), (double) row.get("seconds"));
        if (row.containsKey("straightness")) {
            console.printf(Locale.ROOT, "%10s  %8s  straightness %.4f%n", "", "", (double) row.get("straightness"));
        }
        console.flush();
    }

    private void plot(List<Map<String, Object>> rows, Path png) {
        double[] w = rows.stream().mapToDouble(r -> (double) r.get("scale")).toArray();
        double[] accuracy = rows.stream().mapToDouble(r -> 100 * (double) r.get("class_accuracy")).toArray();
        double[] fd = rows.stream().mapToDouble(r -> (double) r.get("fd_classifier")).toArray();
        String axis = (guide.name().equals(Guide.CLASSIFIER) ? "classifier guidance scale " : "guidance scale ") + guide.symbol();
        Figure.save(png, 2, 480, 360, List.of(
                new Chart("class accuracy of samples", axis, "accuracy (%)").line("accuracy", w, accuracy, Chart.PALETTE[0])
                        .yRange(0, 100),
                new Chart("FD-classifier to test images", axis, "FD").line("FD", w, fd, Chart.PALETTE[1])));
    }

    /** A scale as written in file names and tables: {@code 3}, {@code 1.5}. */
    public static String trim(double w) {
        return w == Math.rint(w) ? Long.toString((long) w) : Double.toString(w);
    }
}
