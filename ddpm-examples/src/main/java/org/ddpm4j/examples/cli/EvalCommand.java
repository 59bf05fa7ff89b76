package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleFunction;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.pipeline.Noise;
import org.ddpm4j.toolkit.guidance.Unconditional;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.OutputPaths;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.progress.ProgressReporter;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.examples.data.Datasets;
import org.ddpm4j.examples.metrics.EvaluationClassifier;
import org.ddpm4j.examples.metrics.FrechetDistance;
import org.ddpm4j.examples.plot.Chart;
import org.ddpm4j.examples.plot.Figure;
import org.ddpm4j.examples.plot.ImageGrid;
import org.ddpm4j.samplers.AnalyticVariance;
import org.ddpm4j.samplers.likelihood.Elbo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Judges an image denoiser with an evaluation classifier (trained by {@code ddpm train --model
 * classifier --clean}): the classifier's accuracy on test images, then for each guidance scale the
 * class accuracy of conditional samples and the Frechet distance between the classifier's features
 * of samples and of test images; optionally the ELBO of test images in bits per dimension. The
 * guidance is classifier-free (a class-conditional model) or classifier guidance by a noisy
 * classifier (of an unconditional model, or of a conditional model's null-class prediction).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate an image denoiser: class accuracy and FD-classifier of its samples per guidance scale, bits/dim "
                + "of test images; writes eval.json, guidance.png and one sample grid per scale into --out.",
        footer = {"", "FD-classifier is the Frechet distance of the evaluation classifier's penultimate features (the construction "
                + "of FID on another network): compare it between models and scales, not with published Inception FIDs.",
                "", "Examples:",
                "  ddpm eval --checkpoint runs/fashion --classifier runs/fashion-eval --out runs/fashion/eval",
                "  ddpm eval --checkpoint runs/fashion --classifier runs/fashion-eval --scales 0,1,3,5 --param thresholding=true --out eval",
                "  ddpm eval --checkpoint runs/fashion --classifier runs/fashion-eval --scales 3 --bits-per-dim 100 --out eval",
                "  ddpm eval --checkpoint runs/fashion --classifier runs/fashion-eval --guidance classifier "
                        + "--guidance-classifier runs/fashion-noisy --scales 0,1,2,4 --out eval-cg"})
final class EvalCommand implements Runnable {
    private static final String CFG = "cfg";
    private static final String CLASSIFIER = "classifier";

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "The denoiser: a model directory of 'ddpm train'.")
    Path checkpoint;

    @Option(names = "--classifier", required = true, paramLabel = "DIR", description = "The evaluation classifier (ddpm train --model "
            + "classifier --clean) of the same dataset.")
    Path classifier;

    @Option(names = "--data", paramLabel = "DIR", description = "The dataset's folder (default: where the model card says, else "
            + "/usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--test-images", defaultValue = "2000", description = "Test images for the classifier's accuracy and the "
            + "reference features (default ${DEFAULT-VALUE}).")
    int testImages;

    @Option(names = "--sampler", defaultValue = "dpmsolver++", description = "Sampler plugin (default ${DEFAULT-VALUE}).")
    String samplerName;

    @Option(names = "--steps", defaultValue = "20", description = "Sampler steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter, e.g. thresholding=true (repeatable).")
    Map<String, String> samplerParameters = new LinkedHashMap<>();

    @Option(names = "--guidance", defaultValue = "cfg", paramLabel = "cfg|classifier", description = "The guidance to sweep: cfg "
            + "(classifier-free; ignored for an unconditional model) or classifier (the gradient of --guidance-classifier added to "
            + "the unconditional prediction: a conditional model's null class) (default ${DEFAULT-VALUE}).")
    String guidance;

    @Option(names = "--guidance-classifier", paramLabel = "DIR", description = "The noisy classifier of --guidance classifier "
            + "(ddpm train --model classifier, without --clean) of the denoiser's dataset and schedule; not the evaluation classifier.")
    Path guidanceClassifier;

    @Option(names = "--scales", split = ",", defaultValue = "3", paramLabel = "S",
            description = "Guidance scales to evaluate, e.g. 0,1,3,5: cfg's w or classifier guidance's s (default ${DEFAULT-VALUE}).")
    List<Double> scales;

    @Option(names = "--per-class", defaultValue = "20", description = "Samples per class and scale (default ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--bits-per-dim", defaultValue = "0", paramLabel = "N", description = "Also bound the NLL of the first N test "
            + "images in bits/dim (ELBO over every training step: slow; default ${DEFAULT-VALUE}: skip).")
    int bitsPerDimImages;

    @Option(names = "--variance", defaultValue = "fixed_small", paramLabel = "KIND", description = "Reverse variance of the --bits-per-dim bound: "
            + "fixed_small (betaTilde_t), fixed_large (beta_t), analytic (Analytic-DPM, Gamma_t estimated on the same test images with other noise) "
            + "or learned (the model's variance output) (default ${DEFAULT-VALUE}).")
    String variance;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the noise; every scale starts from the same noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend plugin (default: the one the model was trained on).")
    String backendName;

    @Mixin
    DeviceOptions devices;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for eval.json, guidance.png and the sample "
            + "grids samples-w*.png (cfg) or samples-s*.png (classifier guidance).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        check();
        PrintWriter console = spec.commandLine().getOut();
        PluginRegistry registry = PluginRegistry.load();
        ModelSources.Spec model = ModelSources.parse("--checkpoint", "checkpoint:" + checkpoint);
        ModelCard card = model.card();
        checkGuidanceClassifier(card);
        Map<String, AutoCloseable> open = new LinkedHashMap<>();
        try (TensorBackend backend = registry.createBackend(backendName != null ? backendName : card.backend(), devices.parameters(backendName != null ? backendName : card.backend()));
             ModelSources.Source source = model.denoiser(registry, backend, model.schedule(registry).orElseThrow())) {
            Files.createDirectories(out);
            EvaluationClassifier judge = new EvaluationClassifier(ModelSources.parse("--classifier", "checkpoint:" + classifier)
                    .classifier(registry, backend, source.schedule(), open));
            ArrayData test = Datasets.test(Datasets.FASHION_MNIST, dataDirectory(card), testImages);
            Denoiser denoiser = source.denoiser();
            if (bitsPerDimImages > 0 && variance.equals("learned") && denoiser.varianceOutput() == VarianceOutput.NONE) {
                throw new InvalidParameterException("--variance", variance, "needs a model that outputs its variance; this one predicts none "
                        + "(use fixed_small, fixed_large or analytic)");
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("checkpoint", checkpoint.toString());
            report.put("classifier", classifier.toString());
            if (guidanceClassifier != null) {
                report.put("guidance_classifier", guidanceClassifier.toString());
            }
            report.put("backend", backend.name() + " " + backend.device());
            double[][] reference;
            try (TensorScope scope = backend.openScope()) {
                Tensor images = EvaluationClassifier.batch(test, 0, test.size(), backend);
                double accuracy = judge.accuracy(images, labels(test));
                reference = judge.features(images);
                report.put("classifier_test_accuracy", accuracy);
                report.put("test_images", test.size());
                console.printf(Locale.ROOT, "evaluation classifier: %.1f %% accuracy on %d test images%n", 100 * accuracy, test.size());
            }
            report.put("sampler", samplerName + ", " + steps + " steps" + (samplerParameters.isEmpty() ? "" : ", " + samplerParameters));
            Guide guide = guide(registry, backend, source.schedule(), denoiser, open);
            report.put("guidance", sweep(registry, backend, source.schedule(), guide, judge, reference, console));
            if (bitsPerDimImages > 0) {
                report.put("bits_per_dim", bitsPerDim(backend, source.schedule(), denoiser, test, console));
            }
            Json.write(report, out.resolve("eval.json"));
            console.println("wrote " + out.resolve("eval.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            open.values().forEach(c -> {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort at exit
                }
            });
        }
        console.flush();
    }

    private void check() {
        OutputPaths.checkDirectory("--out", out);
        if (perClass < 1) {
            throw new InvalidParameterException("--per-class", perClass, "must be an integer >= 1");
        }
        if (testImages < 2) {
            throw new InvalidParameterException("--test-images", testImages, "must be an integer >= 2");
        }
        if (bitsPerDimImages < 0) {
            throw new InvalidParameterException("--bits-per-dim", bitsPerDimImages, "must be an integer >= 0");
        }
        if (!List.of("fixed_small", "fixed_large", "analytic", "learned").contains(variance)) {
            throw new InvalidParameterException("--variance", variance, "must be one of fixed_small, fixed_large, analytic, learned");
        }
        for (double w : scales) {
            if (!(w >= 0)) {
                throw new InvalidParameterException("--scales", w, "must be guidance scales >= 0");
            }
        }
        if (!guidance.equals(CFG) && !guidance.equals(CLASSIFIER)) {
            throw new InvalidParameterException("--guidance", guidance, "must be cfg or classifier");
        }
        if (guidance.equals(CLASSIFIER) && guidanceClassifier == null) {
            throw new InvalidParameterException("--guidance-classifier", "missing", "--guidance classifier needs the noisy classifier "
                    + "to guide with (ddpm train --model classifier)");
        }
        if (guidance.equals(CFG) && guidanceClassifier != null) {
            throw new InvalidParameterException("--guidance-classifier", guidanceClassifier.toString(), "is used by --guidance "
                    + "classifier only");
        }
    }

    /** The guidance classifier's model card against the denoiser's and the evaluation classifier's, before anything loads. */
    private void checkGuidanceClassifier(ModelCard denoiser) {
        if (guidanceClassifier == null) {
            return;
        }
        String option = "--guidance-classifier";
        ModelCard card = ModelSources.parse(option, "checkpoint:" + guidanceClassifier).card();
        int judged = ModelSources.parse("--classifier", "checkpoint:" + classifier).card().spec().numClasses();
        int classes = card.spec().numClasses();
        if (!card.kind().equals("classifier")) {
            throw new InvalidParameterException(option, guidanceClassifier.toString(), "holds a " + card.kind() + ", not a classifier");
        }
        if (classes != judged || (denoiser.spec().numClasses() > 0 && classes != denoiser.spec().numClasses())) {
            throw new InvalidParameterException(option, guidanceClassifier + " (" + classes + " classes)", "must have the "
                    + judged + " classes of the evaluation classifier"
                    + (denoiser.spec().numClasses() > 0 ? " and the denoiser's " + denoiser.spec().numClasses() : ""));
        }
        if (Boolean.TRUE.equals(card.data().get("clean"))) {
            throw new InvalidParameterException(option, guidanceClassifier.toString(), "was trained on clean data (--clean); guidance "
                    + "needs a classifier of noisy data x_t (ddpm train --model classifier without --clean)");
        }
        if (!Arrays.equals(card.spec().sampleShape(), denoiser.spec().sampleShape())) {
            throw new InvalidParameterException(option, guidanceClassifier.toString(), "must classify the denoiser's samples of shape "
                    + Arrays.toString(denoiser.spec().sampleShape()) + ", not " + Arrays.toString(card.spec().sampleShape()));
        }
        if (!card.schedule().equals(denoiser.schedule())) {
            throw new InvalidParameterException(option, guidanceClassifier.toString(), "must be trained on the denoiser's schedule "
                    + denoiser.schedule() + ", not " + card.schedule());
        }
    }

    private Path dataDirectory(ModelCard card) {
        if (data != null) {
            return data;
        }
        Object directory = card.data().get("directory");
        if (!Datasets.FASHION_MNIST.equals(card.data().get("dataset"))) {
            throw new InvalidParameterException("--checkpoint", checkpoint.toString(), "must be a model trained on "
                    + Datasets.FASHION_MNIST + " (its model card names " + card.data() + ")");
        }
        return directory != null && Files.isDirectory(Path.of(directory.toString())) ? Path.of(directory.toString()) : null;
    }

    /**
     * What is swept: the guidance ({@code none} for one unguided run of an unconditional model under
     * cfg), the number of classes it targets, and the guided denoiser at a scale.
     */
    private record Guide(String name, int classes, DoubleFunction<Denoiser> at) {
        boolean guided() {
            return classes > 0;
        }

        /** The symbol of the scale: w for cfg, s for classifier guidance (as in the papers and 'ddpm sample --scale'). */
        String symbol() {
            return name.equals(CLASSIFIER) ? "s" : "w";
        }
    }

    /**
     * Classifier guidance guides the unconditional prediction (a conditional model's null class) with
     * the noisy classifier; cfg guides a conditional model; an unconditional model under cfg is not guided.
     */
    private Guide guide(PluginRegistry registry, TensorBackend backend, Schedule schedule, Denoiser denoiser, Map<String, AutoCloseable> open) {
        if (guidance.equals(CLASSIFIER)) {
            Classifier noisy = ModelSources.parse("--guidance-classifier", "checkpoint:" + guidanceClassifier)
                    .classifier(registry, backend, schedule, open);
            Denoiser unconditional = Unconditional.of(denoiser);
            return new Guide(CLASSIFIER, noisy.numClasses(),
                    s -> Guided.denoiser(registry, CLASSIFIER, Map.of("scale", s), unconditional, schedule, Optional.of(noisy)));
        }
        if (denoiser.numClasses() == 0) {
            return new Guide("none", 0, w -> denoiser);
        }
        return new Guide(CFG, denoiser.numClasses(), w -> Guided.denoiser(registry, CFG, Map.of("scale", w), denoiser, schedule,
                Optional.empty()));
    }

    /** Samples {@code --per-class} images of every class at every scale (one unguided run for an unconditional model under cfg). */
    private List<Map<String, Object>> sweep(PluginRegistry registry, TensorBackend backend, Schedule schedule, Guide guide,
                                            EvaluationClassifier judge, double[][] reference, PrintWriter console) {
        int n = perClass * Math.max(1, guide.classes());
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i / perClass;
        }
        Condition condition = guide.guided() ? Condition.classes(labels) : Condition.none();
        List<Double> ws = guide.guided() ? scales : List.of(Double.NaN);
        Map<String, Object> parameters = KeyValues.parse(samplerParameters);
        parameters.put("steps", steps);
        Sampler sampler = registry.createSampler(samplerName, schedule, Parameters.of(parameters));
        List<Map<String, Object>> rows = new ArrayList<>();
        console.printf(Locale.ROOT, "%10s  %8s  %10s  %14s  %8s%n", "guidance", "scale", "accuracy", "FD-classifier", "seconds");
        for (double w : ws) {
            long started = System.nanoTime();
            try (TensorScope scope = backend.openScope()) {
                Tensor samples = sample(sampler, guide, w, backend, n, condition);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("guidance", guide.name());
                if (guide.guided()) {
                    row.put("scale", w);
                    row.put("class_accuracy", judge.accuracy(samples, labels));
                }
                row.put("fd_classifier", FrechetDistance.between(judge.features(samples), reference));
                row.put("samples", n);
                row.put("seconds", (System.nanoTime() - started) / 1e9);
                String name = guide.guided() ? String.format(Locale.ROOT, "samples-%s%s.png", guide.symbol(), trim(w)) : "samples.png";
                ImageGrid.save(out.resolve(name), samples.toHost(), Math.max(1, guide.classes()), perClass, 2);
                row.put("grid", name);
                rows.add(row);
                print(row, console);
            }
        }
        if (rows.size() > 1) {
            plot(rows, guide);
        }
        return rows;
    }

    /** {@code n} samples of the denoiser guided at scale {@code w}, every scale from the same noise. */
    private Tensor sample(Sampler sampler, Guide guide, double w, TensorBackend backend, int n, Condition condition) {
        Denoiser guided = guide.at().apply(w);
        Tensor x = Noise.seeded(guided, backend, n, seed);
        String label = guide.guided() ? guide.symbol() + "=" + trim(w) : "sample";
        try (SamplingRun run = sampler.start(guided, x, SampleOptions.defaults().withSeed(seed + 1).withCondition(condition)
                .withListener(new Progress(spec.commandLine().getErr(), label)))) {
            while (!run.isDone()) {
                run.step();
            }
            return run.result();
        }
    }

    private static void print(Map<String, Object> row, PrintWriter console) {
        console.printf(Locale.ROOT, "%10s  %8s  %10s  %14.3f  %8.1f%n", row.get("guidance"),
                row.containsKey("scale") ? trim((double) row.get("scale")) : "-",
                row.containsKey("class_accuracy") ? String.format(Locale.ROOT, "%.1f %%", 100 * (double) row.get("class_accuracy")) : "-",
                (double) row.get("fd_classifier"), (double) row.get("seconds"));
        console.flush();
    }

    private void plot(List<Map<String, Object>> rows, Guide guide) {
        double[] w = rows.stream().mapToDouble(r -> (double) r.get("scale")).toArray();
        double[] accuracy = rows.stream().mapToDouble(r -> 100 * (double) r.get("class_accuracy")).toArray();
        double[] fd = rows.stream().mapToDouble(r -> (double) r.get("fd_classifier")).toArray();
        String axis = (guide.name().equals(CLASSIFIER) ? "classifier guidance scale " : "guidance scale ") + guide.symbol();
        Figure.save(out.resolve("guidance.png"), 2, 480, 360, List.of(
                new Chart("class accuracy of samples", axis, "accuracy (%)").line("accuracy", w, accuracy, Chart.PALETTE[0])
                        .yRange(0, 100),
                new Chart("FD-classifier to test images", axis, "FD").line("FD", w, fd, Chart.PALETTE[1])));
    }

    /** The ELBO of the first {@code --bits-per-dim} test images (unconditional: the null class) in bits per dimension. */
    private Map<String, Object> bitsPerDim(TensorBackend backend, Schedule schedule, Denoiser denoiser, ArrayData test, PrintWriter console) {
        if (!(schedule instanceof DiscreteSchedule discrete)) {
            throw new InvalidParameterException("--bits-per-dim", bitsPerDimImages, "needs a model of a discrete schedule; this one has "
                    + schedule.name());
        }
        int n = Math.min(bitsPerDimImages, test.size());
        long started = System.nanoTime();
        try (TensorScope scope = backend.openScope()) {
            Tensor x0 = EvaluationClassifier.batch(test, 0, n, backend);
            Condition condition = denoiser.numClasses() > 0 ? Condition.repeat(Condition.NULL_CLASS, n) : Condition.none();
            ProgressReporter progress = new ProgressReporter("elbo", "terms", discrete.trainSteps(), spec.commandLine().getErr(), 1.0);
            Elbo.Variance kind = Elbo.Variance.valueOf(variance.toUpperCase(Locale.ROOT));
            double[] gamma = null;
            if (kind == Elbo.Variance.ANALYTIC) {
                double[] times = new double[discrete.trainSteps()];
                Arrays.setAll(times, t -> t);
                gamma = AnalyticVariance.epsMoments(denoiser, discrete, times, x0, condition, seed + 1);
            }
            Elbo.Terms terms = new Elbo(discrete, kind, gamma, Elbo.Decoder.DISCRETIZED).evaluate(denoiser, x0, condition, seed,
                    done -> progress.update(done, ""));
            double[] bits = terms.bitsPerDim(x0.sampleSize());
            double mean = Arrays.stream(bits).average().orElseThrow();
            double sd = Math.sqrt(Arrays.stream(bits).map(b -> (b - mean) * (b - mean)).sum() / Math.max(1, n - 1));
            console.printf(Locale.ROOT, "ELBO: %.3f bits/dim (+- %.3f standard error) on %d test images, %.0f s%n", mean, sd / Math.sqrt(n), n,
                    (System.nanoTime() - started) / 1e9);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", mean);
            m.put("standard_error", sd / Math.sqrt(n));
            m.put("images", n);
            m.put("decoder", "discretized Gaussian, 8-bit");
            m.put("reverse_variance", variance);
            return m;
        }
    }

    private static int[] labels(ArrayData data) {
        int[] labels = new int[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        return labels;
    }

    private static String trim(double w) {
        return w == Math.rint(w) ? Long.toString((long) w) : Double.toString(w);
    }
}
