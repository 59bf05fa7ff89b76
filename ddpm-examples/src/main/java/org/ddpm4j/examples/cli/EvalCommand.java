package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.OutputPaths;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.progress.ProgressReporter;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.TunedGuidance;
import org.ddpm4j.examples.data.Datasets;
import org.ddpm4j.examples.eval.Evaluation;
import org.ddpm4j.examples.eval.Guide;
import org.ddpm4j.examples.eval.GuidanceSweep;
import org.ddpm4j.examples.flow.Reflow;
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
                "  ddpm eval --checkpoint runs/fashion-flow --classifier runs/fashion-eval --scales 1,3 --sampler flow-heun --steps 10 --straightness 100 --out eval",
                "  ddpm eval --checkpoint runs/fashion --classifier runs/fashion-eval --guidance classifier "
                        + "--guidance-classifier runs/fashion-noisy --scales 0,1,2,4 --out eval-cg"})
final class EvalCommand implements Runnable {

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

    @Option(names = "--variance", paramLabel = "KIND", description = "Reverse variance of the --bits-per-dim bound: "
            + "fixed_small (betaTilde_t), fixed_large (beta_t), analytic (Analytic-DPM, Gamma_t estimated on the same test images with other noise) "
            + "or learned (the model's variance output) (default: learned for a model with a learned variance, else fixed_small).")
    String variance;

    @Option(names = "--straightness", defaultValue = "0", paramLabel = "N", description = "Also measure Liu et al.'s straightness "
            + "of a flow model's guided paths at every scale, from the samples' noise, by N Euler steps (N more evaluations per sample; "
            + "default ${DEFAULT-VALUE}: skip).")
    int straightnessSteps;

    /** Test images Analytic-DPM's Gamma_t is estimated on, when sampling with variance_type=analytic. */
    private static final int ANALYTIC_IMAGES = 500;

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
        ModelSource model = ModelSource.checkpoint("--checkpoint", checkpoint);
        ModelCard card = model.card();
        checkGuidanceClassifier(card);
        checkDistilledGuidance(card);
        Map<String, Object> given = KeyValues.parse(samplerParameters);
        Map<String, Object> parameters = new LinkedHashMap<>(given);
        if (!parameters.containsKey("timesteps")) {
            parameters.put("steps", steps);
        }
        // Analytic-DPM without its Gamma_t: the pipeline's sampler is built without it, then rebuilt with the estimate
        boolean estimateGamma = "analytic".equals(parameters.get("variance_type")) && !parameters.containsKey("analytic_eps_moments");
        Map<String, Object> pipelineParameters = estimateGamma ? withoutVariance(parameters) : parameters;
        String backendChoice = backendName != null ? backendName : card.backend();
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(backendChoice, devices.parameters(backendChoice).asMap()))
                .withSampler(new ComponentConfig(samplerName, pipelineParameters));
        PipelineParts parts = PipelineParts.none().model(model);
        if (guidance.equals(Guide.CLASSIFIER)) {
            parts.classifier(ModelSource.checkpoint("--guidance-classifier", guidanceClassifier));
        }
        try (Pipeline pipeline = Pipelines.build(config, parts)) {
            TensorBackend backend = pipeline.backend();
            Schedule schedule = pipeline.schedule();
            FlowSchedule flow = straightnessSteps > 0 ? flowSchedule(schedule) : null;
            Files.createDirectories(out);
            // the judge is not part of the sampling pipeline's model, but is released with it
            EvaluationClassifier judge = new EvaluationClassifier(pipeline.classifier(ModelSource.checkpoint("--classifier", classifier)));
            ArrayData test = Datasets.test(Datasets.FASHION_MNIST, dataDirectory(card), testImages);
            Denoiser denoiser = pipeline.model();
            if (variance == null) {
                variance = denoiser.varianceOutput() == VarianceOutput.NONE ? "fixed_small" : "learned";
            }
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
            Evaluation evaluation = new Evaluation(backend, test, console);
            double[][] reference = evaluation.judgeTestImages(judge, report);
            report.put("sampler", samplerName + ", " + steps + " steps" + (samplerParameters.isEmpty() ? "" : ", " + samplerParameters));
            Optional<Double> builtIn = DistilledStudents.guidanceScale(card);
            Guide guide = builtIn.isPresent() ? Guide.distilled(denoiser, builtIn.get())
                    : guidance.equals(Guide.CLASSIFIER) ? Guide.classifier(pipeline::guidance, denoiser, schedule, pipeline.classifier().orElseThrow())
                    : Guide.classifierFree(pipeline::guidance, denoiser, schedule);
            PrintWriter err = spec.commandLine().getErr();
            LearnedVarianceNote.of(denoiser, pipeline.requireSampler()).ifPresent(err::println);
            ScaleSamplers samplers = new ScaleSamplers(pipeline, card, given, parameters, estimateGamma, evaluation, console);
            GuidanceSweep sweep = new GuidanceSweep(w -> samplers.at(w, guide.config().apply(w)), guide, perClass, scales, seed,
                    label -> new Progress(err, label));
            if (flow != null) {
                report.put("straightness_steps", straightnessSteps);
                sweep.withStraightness((guided, noise, options) -> Reflow.straightness(guided, flow, c -> pipeline.sampler(c, flow), noise, options,
                        straightnessSteps));
            }
            List<Map<String, Object>> rows = sweep.run(backend, judge, reference, out, console);
            for (Map<String, Object> row : rows) {
                Map<String, Object> tuned = samplers.tuned.get(row.containsKey("scale") ? (double) row.get("scale") : Double.NaN);
                if (tuned != null) {
                    row.put("step_schedule", tuned.get("timesteps"));
                }
            }
            report.put("guidance", rows);
            if (estimateGamma) {
                report.put("analytic_eps_moments_images", Math.min(ANALYTIC_IMAGES, test.size()));
            }
            if (bitsPerDimImages > 0) {
                ProgressReporter progress = new ProgressReporter("elbo", "terms", schedule instanceof DiscreteSchedule d ? d.trainSteps() : 1,
                        err, 1.0);
                report.put("bits_per_dim", evaluation.bitsPerDim(schedule, denoiser,
                        Elbo.Variance.valueOf(variance.toUpperCase(Locale.ROOT)), bitsPerDimImages, seed, "--bits-per-dim",
                        done -> progress.update(done, "")));
            }
            Json.write(report, out.resolve("eval.json"));
            console.println("wrote " + out.resolve("eval.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        console.flush();
    }

    /**
     * The sampler of each guidance scale: the options' sampler, on the step schedule that {@code ddpm
     * tune-steps} stored in the model card for this sampler, {@code --steps} and the scale's guidance
     * (as {@code ddpm sample} finds it), and with Analytic-DPM's {@code Gamma_t} estimated for its times.
     */
    private final class ScaleSamplers {
        private final Pipeline pipeline;
        private final ModelCard card;
        private final Map<String, Object> given;
        private final Map<String, Object> parameters;
        private final boolean estimateGamma;
        private final Evaluation evaluation;
        private final PrintWriter console;
        /** The card's schedule used at each scale (NaN: the unguided run). */
        final Map<Double, Map<String, Object>> tuned = new java.util.HashMap<>();
        /** Each distinct sampler built once (Analytic-DPM's estimate costs model evaluations on test images). */
        private final Map<Map<String, Object>, Sampler> built = new java.util.HashMap<>();

        ScaleSamplers(Pipeline pipeline, ModelCard card, Map<String, Object> given, Map<String, Object> parameters, boolean estimateGamma,
                      Evaluation evaluation, PrintWriter console) {
            this.pipeline = pipeline;
            this.card = card;
            this.given = given;
            this.parameters = parameters;
            this.estimateGamma = estimateGamma;
            this.evaluation = evaluation;
            this.console = console;
        }

        /** The sampler at scale {@code w} of {@code guidance} (null: sampled without a guidance plugin). */
        Sampler at(double w, ComponentConfig guidance) {
            Map<String, Object> guidanceEntry = guidance == null ? null : guidance.toMap();
            Map<String, Object> steps = given.containsKey("timesteps") ? null : card.tunedSteps(samplerName, given, EvalCommand.this.steps, guidanceEntry);
            Map<String, Object> run = new LinkedHashMap<>(parameters);
            if (steps != null) {
                run.remove("steps");
                run.putAll(steps);
                tuned.put(w, steps);
                console.printf(Locale.ROOT, "using the optimized step schedule of the model card (ddpm tune-steps) for %s at %d steps under "
                        + "guidance %s: %s%n", samplerName, EvalCommand.this.steps, TunedGuidance.describe(guidanceEntry), steps);
            }
            return built.computeIfAbsent(run, this::build);
        }

        private Sampler build(Map<String, Object> key) {
            Map<String, Object> run = new LinkedHashMap<>(key);
            Sampler sampler = run.equals(this.parameters) && !estimateGamma ? pipeline.requireSampler()
                    : pipeline.sampler(new ComponentConfig(samplerName, estimateGamma ? withoutVariance(run) : run));
            if (estimateGamma) {
                if (!(pipeline.schedule() instanceof DiscreteSchedule discrete)) {
                    throw new InvalidParameterException("--param", "variance_type=analytic", "needs a discrete schedule; the model's is "
                            + pipeline.schedule().name());
                }
                run.put("analytic_eps_moments", evaluation.epsMoments(pipeline.model(), discrete, sampler.timesteps(), ANALYTIC_IMAGES, seed + 5));
                sampler = pipeline.sampler(new ComponentConfig(samplerName, run));
            }
            DistilledStudents.checkPlan(card, sampler, pipeline.schedule());
            return sampler;
        }
    }

    /** Sampler parameters without {@code variance_type}: Analytic-DPM's sampler before its estimate. */
    private static Map<String, Object> withoutVariance(Map<String, Object> parameters) {
        Map<String, Object> p = new LinkedHashMap<>(parameters);
        p.remove("variance_type");
        return p;
    }

    private void check() {
        OutputPaths.checkDirectory("--out", out);
        if (perClass < 1) {
            throw new InvalidParameterException("--per-class", perClass, "must be an integer >= 1");
        }
        if (testImages < 2) {
            throw new InvalidParameterException("--test-images", testImages, "must be an integer >= 2");
        }
        if (straightnessSteps < 0) {
            throw new InvalidParameterException("--straightness", straightnessSteps, "must be an integer >= 0 (Euler steps; 0 skips)");
        }
        if (bitsPerDimImages < 0) {
            throw new InvalidParameterException("--bits-per-dim", bitsPerDimImages, "must be an integer >= 0");
        }
        if (variance != null && !List.of("fixed_small", "fixed_large", "analytic", "learned").contains(variance)) {
            throw new InvalidParameterException("--variance", variance, "must be one of fixed_small, fixed_large, analytic, learned");
        }
        for (double w : scales) {
            if (!(w >= 0)) {
                throw new InvalidParameterException("--scales", w, "must be guidance scales >= 0");
            }
        }
        if (!guidance.equals(Guide.CFG) && !guidance.equals(Guide.CLASSIFIER)) {
            throw new InvalidParameterException("--guidance", guidance, "must be cfg or classifier");
        }
        if (guidance.equals(Guide.CLASSIFIER) && guidanceClassifier == null) {
            throw new InvalidParameterException("--guidance-classifier", "missing", "--guidance classifier needs the noisy classifier "
                    + "to guide with (ddpm train --model classifier)");
        }
        if (guidance.equals(Guide.CFG) && guidanceClassifier != null) {
            throw new InvalidParameterException("--guidance-classifier", guidanceClassifier.toString(), "is used by --guidance "
                    + "classifier only");
        }
    }

    /** A student with its teacher's guidance built in is evaluated at that scale only, and not guided again. */
    private void checkDistilledGuidance(ModelCard card) {
        Optional<Double> w = DistilledStudents.guidanceScale(card);
        if (w.isEmpty()) {
            return;
        }
        DistilledStudents.checkNoGuidance(card, guidanceClassifier != null || guidance.equals(Guide.CLASSIFIER) ? guidance : null, "--guidance");
        if (!scales.stream().allMatch(s -> s.doubleValue() == w.get())) {
            throw new InvalidParameterException("--scales", scales, "this student was distilled from its teacher guided with w = " + w.get()
                    + ", which is built in; evaluate it with --scales " + GuidanceSweep.trim(w.get()));
        }
    }

    /** The guidance classifier's model card against the denoiser's and the evaluation classifier's, before anything loads. */
    private void checkGuidanceClassifier(ModelCard denoiser) {
        if (guidanceClassifier == null) {
            return;
        }
        String option = "--guidance-classifier";
        ModelCard card = ModelSource.checkpoint(option, guidanceClassifier).card();
        int judged = ModelSource.checkpoint("--classifier", classifier).card().spec().numClasses();
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

    private FlowSchedule flowSchedule(Schedule schedule) {
        if (schedule instanceof FlowSchedule flow) {
            return flow;
        }
        throw new InvalidParameterException("--straightness", straightnessSteps, "measures the paths of a flow-matching model's ODE; "
                + checkpoint + " is a diffusion model on schedule '" + schedule.name() + "'");
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
}
