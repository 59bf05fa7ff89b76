package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.core.training.ProgressiveDistillation;
import org.ddpm4j.examples.data.Datasets;
import org.ddpm4j.examples.data.Toy2d;
import org.ddpm4j.examples.eval.Evaluation;
import org.ddpm4j.examples.eval.GuidanceSweep;
import org.ddpm4j.examples.eval.Guide;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.examples.metrics.SampleQuality;
import org.ddpm4j.examples.plot.Chart;
import org.ddpm4j.examples.plot.Figure;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.OutputPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Progressively distilled students ({@code ddpm distill}) against their teacher sampled with DDIM and
 * DPM-Solver++ at the same step counts (and at twice the largest, the plan the distillation started
 * from), each row with its network evaluations per sample: on 2-D
 * data the energy distance to held-out data with its floor and the k-NN two-sample accuracy (as the
 * demo reports them); on images, with an evaluation classifier, the class accuracy and FD-classifier
 * of {@code ddpm eval} (the same library, {@link GuidanceSweep}, the same seeded noise for every row),
 * the teacher guided as its students learned it (the scale and thresholding their cards record).
 * Writes metrics.json and quality.png (quality against evaluations).
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Distilled students vs DDIM and DPM-Solver++ on their teacher at 1, 2, 4, 8 steps: energy distance and C2ST "
                + "(2-D) or class accuracy and FD-classifier (images, --classifier); writes metrics.json and quality.png.",
        footer = {"", "Examples:",
                "  ddpm bench distill --teacher runs/demo/model --students runs/demo-distilled --out runs/demo-distilled/bench",
                "  ddpm bench distill --teacher runs/fashion --students runs/fashion-distilled --classifier runs/fashion-eval "
                        + "--per-class 10 --out runs/fashion-distilled/bench"})
final class BenchDistillCommand implements Runnable {

    @Option(names = "--teacher", required = true, paramLabel = "DIR", description = "The teacher's model directory.")
    Path teacher;

    @Option(names = "--students", required = true, paramLabel = "DIR", description = "The output of 'ddpm distill' (steps-K folders).")
    Path students;

    @Option(names = "--steps", split = ",", defaultValue = "1,2,4,8", description = "Step counts (default ${DEFAULT-VALUE}).")
    List<Integer> steps;

    @Option(names = "--samples", defaultValue = "2000", description = "2-D: points per row (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--classifier", paramLabel = "DIR", description = "Images: the evaluation classifier (ddpm train --model classifier --clean).")
    Path classifier;

    @Option(names = "--per-class", defaultValue = "10", description = "Images: samples per class and row (default ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--test-images", defaultValue = "2000", description = "Images: test images of the reference features (default ${DEFAULT-VALUE}).")
    int testImages;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the noise, the same for every row (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    DeviceOptions devices;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for metrics.json and quality.png.")
    Path out;

    @Spec
    CommandSpec spec;

    /** One row: who samples, with what, at how many steps, at what cost. */
    private record Row(String model, String sampler, int steps, int evaluations, Map<String, Object> quality) {
    }

    @Override
    public void run() {
        OutputPaths.checkDirectory("--out", out);
        for (int k : steps) {
            if (k < 1) {
                throw new InvalidParameterException("--steps", k, "must be step counts >= 1");
            }
        }
        PrintWriter console = spec.commandLine().getOut();
        ModelSource source = ModelSource.checkpoint("--teacher", teacher);
        ModelCard teacherCard = source.card();
        boolean images = teacherCard.spec().sampleShape().length > 1;
        if (images != (classifier != null)) {
            throw new InvalidParameterException("--classifier", String.valueOf(classifier), images ? "is needed to judge an image model"
                    : "judges images; " + teacher + " is a 2-D model");
        }
        for (int k : steps) {
            Path dir = students.resolve("steps-" + k);
            if (!Files.isDirectory(dir) || ProgressiveDistillation.distilledSteps(new CheckpointStore(dir).card()).orElse(-1) != k) {
                throw new InvalidParameterException("--students", students.toString(), "holds no student distilled for " + k
                        + " steps (" + dir + "); distill down to the smallest of --steps");
            }
        }
        if (!images && teacherCard.spec().numClasses() > 0) {
            throw new InvalidParameterException("--teacher", teacher.toString(), "is a class-conditional 2-D model; the 2-D measurement "
                    + "compares unconditional samples with the held-out data");
        }
        String backendName = teacherCard.backend();
        List<Row> rows = new ArrayList<>();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("teacher", teacher.toString());
        metrics.put("students", students.toString());
        // the teacher, with its schedule, on the backend it was trained with; the students load onto that backend
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(backendName, devices.parameters(backendName).asMap()));
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(source))) {
            TensorBackend backend = pipeline.backend();
            Models.LoadedDenoiser loaded = (Models.LoadedDenoiser) pipeline.loadedModel().orElseThrow().resources();
            metrics.put("backend", backend.name() + " " + backend.device());
            Judge judge = images ? imageJudge(pipeline, loaded, teacherCard, metrics, console) : pointJudge(teacherCard, backend, metrics);
            measure(judge, pipeline, loaded, rows, console);
        }
        List<Map<String, Object>> table = rows.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.model());
            m.put("sampler", r.sampler());
            m.put("steps", r.steps());
            m.put("evaluations", r.evaluations());
            m.putAll(r.quality());
            return m;
        }).toList();
        metrics.put("rows", table);
        String markdown = markdown(rows, images);
        metrics.put("table_markdown", markdown);
        console.print(markdown);
        plot(rows, images);
        Json.write(metrics, out.resolve("metrics.json"));
        console.println("wrote " + out.resolve("metrics.json") + " and " + out.resolve("quality.png"));
        console.flush();
    }

    /** The students at their steps, the teacher with both solvers at the same steps and at twice the largest (where the distillation started). */
    private void measure(Judge judge, Pipeline pipeline, Models.LoadedDenoiser loaded, List<Row> rows, PrintWriter console) {
        int start = 2 * steps.stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<Integer> teacherSteps = new ArrayList<>(steps);
        teacherSteps.add(start);
        for (int k : teacherSteps) {
            if (k != start) {
                CheckpointStore store = new CheckpointStore(students.resolve("steps-" + k));
                ModelCard card = store.card();
                try (TrainableDenoiser student = ((NetworkBackend) pipeline.backend()).newDenoiser(card.spec(), OptimizerSettings.defaults())) {
                    student.importState(store.latest().orElseThrow(() -> new InvalidParameterException("--students", store.dir().toString(),
                            "holds no checkpoint")).state());
                    rows.add(new Row("student", "ddim", k, k, judge.measure(student.ema(), card, ddim(pipeline, k), k)));
                }
            }
            rows.add(new Row("teacher", "ddim", k, judge.cost(k), judge.measure(loaded.ema(), null, ddim(pipeline, k), k)));
            rows.add(new Row("teacher", "dpmsolver++", k, judge.cost(k), judge.measure(loaded.ema(), null,
                    pipeline.sampler(new ComponentConfig("dpmsolver++", Map.of("steps", k, "timestep_spacing", "trailing"))), k)));
            console.printf(Locale.ROOT, "%d steps done%n", k);
            console.flush();
        }
    }

    /** DDIM as the students were distilled for: trailing times, alphaBar = 1 at the end, no clipping. */
    private static Sampler ddim(Pipeline pipeline, int k) {
        return pipeline.sampler(new ComponentConfig("ddim", Map.of("steps", k, "timestep_spacing", "trailing", "set_alpha_to_one", true,
                "clip_sample", false)));
    }

    /** What a row is judged by. */
    private interface Judge {
        /** The quality of {@code model}'s samples ({@code card}: a student's, null for the teacher) with {@code sampler}. */
        Map<String, Object> measure(Denoiser model, ModelCard card, Sampler sampler, int steps);

        /** The teacher's network evaluations per sample at {@code steps} steps. */
        int cost(int steps);
    }

    private Judge pointJudge(ModelCard card, TensorBackend backend, Map<String, Object> metrics) {
        String dataset = card.data().get("dataset") instanceof String s ? s : null;
        if (dataset == null) {
            throw new InvalidParameterException("--teacher", teacher.toString(), "names no built-in 2-D dataset in its model card; "
                    + "the held-out points come from it");
        }
        long dataSeed = card.data().get("seed") instanceof Number n ? n.longValue() : 0;
        double[][] heldOut = Toy2d.parse(dataset).sample(2 * samples, dataSeed + 1);   // as the demo holds its points out
        metrics.put("dataset", dataset);
        metrics.put("held_out", heldOut.length + " points, seed " + (dataSeed + 1));
        Tensor noise = backend.randn(new GaussianNoise(seed), samples, 2);
        return new Judge() {
            @Override
            public Map<String, Object> measure(Denoiser model, ModelCard c, Sampler sampler, int steps) {
                double[] flat = sampler.sample(model, noise, SampleOptions.defaults().withSeed(seed + 1)).toDoubleArray();
                double[][] points = new double[flat.length / 2][];
                for (int i = 0; i < points.length; i++) {
                    points[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
                }
                return SampleQuality.measure(points, heldOut).toMap();
            }

            @Override
            public int cost(int steps) {
                return steps;
            }
        };
    }

    private Judge imageJudge(Pipeline pipeline, Models.LoadedDenoiser loaded, ModelCard card, Map<String, Object> metrics, PrintWriter console) {
        TensorBackend backend = pipeline.backend();
        ModelCard first = new CheckpointStore(students.resolve("steps-" + steps.get(0))).card();
        double w = DistilledStudents.guidanceScale(first).orElseThrow(() -> new InvalidParameterException("--students", students.toString(),
                "holds unconditional students; images are judged per class"));
        boolean thresholded = ProgressiveDistillation.distilledGuidance(first).map(g -> Boolean.TRUE.equals(g.get("thresholding"))).orElse(false);
        metrics.put("guidance_scale", w);
        metrics.put("teacher_thresholding", thresholded);
        // the judge is not part of the sampling pipeline's model, but is released with it
        EvaluationClassifier judge = new EvaluationClassifier(pipeline.classifier(ModelSource.checkpoint("--classifier", classifier)));
        ArrayData test = Datasets.test(Datasets.FASHION_MNIST, card.data().get("directory") instanceof String d ? Path.of(d) : null, testImages);
        double[][] reference = new Evaluation(backend, test, console).judgeTestImages(judge, metrics);
        PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
        return new Judge() {
            @Override
            public Map<String, Object> measure(Denoiser model, ModelCard c, Sampler sampler, int steps) {
                // the teacher guided exactly as the students learned it: dynamic thresholding in the guidance, where the
                // students' targets were computed (a sampler's own thresholding differs for DDIM: diffusers keeps the unthresholded eps)
                Guide guide = c != null ? Guide.distilled(model, w)
                        : Guide.classifierFree(pipeline::guidance, model, loaded.schedule(), Map.of("thresholding", thresholded));
                Map<String, Object> row = new GuidanceSweep(sampler, guide, perClass, List.of(w), seed, label -> new Progress(
                        spec.commandLine().getErr(), (c != null ? "student " : "teacher " + sampler.name() + " ") + steps)).run(backend, judge,
                        reference, null, quiet).get(0);
                return Map.of("class_accuracy", row.get("class_accuracy"), "fd_classifier", row.get("fd_classifier"), "samples", row.get("samples"));
            }

            @Override
            public int cost(int steps) {
                return w == 1 ? steps : 2 * steps;   // cfg: the conditional and the unconditional prediction per step
            }
        };
    }

    private static String markdown(List<Row> rows, boolean images) {
        StringBuilder md = new StringBuilder(images ? "| model | sampler | steps | network evaluations | class accuracy | FD-classifier |\n|---|---|---:|---:|---:|---:|\n"
                : "| model | sampler | steps | network evaluations | energy distance (floor) | ratio | C2ST (floor) |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Map<String, Object> q = r.quality();
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d |", r.model(), r.sampler(), r.steps(), r.evaluations()));
            if (images) {
                md.append(String.format(Locale.ROOT, " %.1f %% | %.3f |%n", 100 * (double) q.get("class_accuracy"), (double) q.get("fd_classifier")));
            } else {
                md.append(String.format(Locale.ROOT, " %.5f (%.5f) | %.2f | %.3f (%.3f) |%n", (double) q.get("energy_distance"),
                        (double) q.get("energy_distance_floor"), (double) q.get("energy_distance_ratio"), (double) q.get("c2st_accuracy"),
                        (double) q.get("c2st_accuracy_floor")));
            }
        }
        return md.toString();
    }

    /** Quality against network evaluations (log2), one line per model and sampler. */
    private void plot(List<Row> rows, boolean images) {
        String[] series = {"student, ddim", "teacher, ddim", "teacher, dpmsolver++"};
        Chart first = images ? new Chart("class accuracy vs network evaluations", "log2 network evaluations per sample", "accuracy (%)")
                : new Chart("energy distance / floor (log10) vs evaluations", "log2 network evaluations per sample", "log10 ratio");
        Chart second = images ? new Chart("FD-classifier (log10) vs network evaluations", "log2 network evaluations per sample", "log10 FD")
                : new Chart("C2ST accuracy vs evaluations (0.5: indistinguishable)", "log2 network evaluations per sample", "accuracy");
        for (int s = 0; s < series.length; s++) {
            String name = series[s];
            List<Row> line = rows.stream().filter(r -> (r.model() + ", " + r.sampler()).equals(name)).toList();
            double[] x = line.stream().mapToDouble(r -> Math.log(r.evaluations()) / Math.log(2)).toArray();
            double[] a = line.stream().mapToDouble(r -> images ? 100 * (double) r.quality().get("class_accuracy")
                    : Math.log10((double) r.quality().get("energy_distance_ratio"))).toArray();
            double[] b = line.stream().mapToDouble(r -> images ? Math.log10((double) r.quality().get("fd_classifier"))
                    : (double) r.quality().get("c2st_accuracy")).toArray();
            first.line(name, x, a, Chart.PALETTE[s]);
            second.line(name, x, b, Chart.PALETTE[s]);
        }
        Figure.save(out.resolve("quality.png"), 2, 480, 360, List.of(first, second));
    }
}
