package org.ddpm4j.examples.cli;

import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.ProgressiveDistillation;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Noise;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.pretrained.Pretrained;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Draws samples from a denoiser (analytic, trained, or loaded from TorchScript / SavedModel) with a
 * sampler, optionally for chosen classes and guided; from saved noise (to replay a run, e.g. one made
 * with diffusers) or from noise drawn from a seed.
 */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sample with a sampler (by name or from a diffusers scheduler_config.json) and a denoiser; write the samples "
                + "as float64 .npy and/or a picture (an image grid, or a scatter plot of points).",
        footer = {"", "The sampler scales the noise by its initial sigma as diffusers' pipelines do. Initial noise drawn with --n comes "
                + "from --seed; a stochastic sampler's own noise from --seed + 1. Trained models fix the schedule; the analytic "
                + "ones (gmm:, points:) use --schedule or the scheduler config's.",
                "", "Examples:",
                "  ddpm sample --denoiser gmm:mixture.json --init-noise noise.npy --scheduler-config scheduler_config.json --steps 25 --out samples.npy",
                "  ddpm sample --denoiser gmm:mixture.json --n 1000 --sampler ddpm --param clip_sample=false --seed 1 --out samples.npy",
                "  ddpm sample --checkpoint runs/moons --sampler dpmsolver++ --steps 20 --n 2000 --grid moons.png",
                "  ddpm sample --pretrained ddpm-cifar10-32 --sampler ddim --steps 50 --n 16 --grid cifar.png --out cifar.npy",
                "  ddpm sample --checkpoint runs/fashion --sampler dpmsolver++ --steps 20 --class all --guidance cfg --scale 3 --grid grid.png",
                "  ddpm sample --checkpoint runs/fashion --sampler ddim --steps 50 --class 3 --guidance classifier "
                        + "--classifier runs/fashion-classifier --scale 2 --out dresses.npy",
                "  ddpm sample --denoiser gmm:classes.json --schedule-param num_train_timesteps=1000 --sampler ddim --class 1 "
                        + "--guidance cfg --scale 3 --n 500 --out class1.npy"})
final class SampleCommand implements Runnable {

    static final class NoiseSource {
        @Option(names = "--init-noise", paramLabel = "FILE", description = "Standard normal noise [n, ...] (.npy, float32 or float64).")
        Path file;

        @Option(names = "--n", paramLabel = "N", description = "Draw noise for N samples from --seed (default: 10 per class with "
                + "--class all, else 64).")
        Integer count;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelChoice model;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    NoiseSource noise = new NoiseSource();

    @Mixin
    SamplerSource samplerSource;

    @Option(names = "--steps", paramLabel = "N", description = "Number of inference steps.")
    Integer steps;

    @Option(names = "--eta", paramLabel = "E", description = "DDIM's eta in [0, 1] (or Euler ancestral's).")
    Double eta;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the noise (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    long seed;

    @Option(names = "--class", paramLabel = "K|all|K1,K2,..", description = "The class of every sample, 'all': the classes in turn, "
            + "row by row, or one class per sample (--class 3,7 for a batch of two).")
    String classes;

    @Option(names = "--guidance", paramLabel = "NAME", description = "A guidance plugin: cfg or classifier (see 'ddpm plugins').")
    String guidance;

    @Option(names = "--scale", paramLabel = "S", description = "Guidance scale (cfg: w, classifier: s).")
    Double scale;

    @Option(names = "--guidance-param", paramLabel = "KEY=VALUE", description = "A guidance parameter, e.g. guidance_rescale=0.7 (repeatable).")
    Map<String, String> guidanceParams = new LinkedHashMap<>();

    @Option(names = "--classifier", paramLabel = "KIND:LOCATION", description = "The noisy classifier of classifier guidance: checkpoint:DIR or gmm:FILE.")
    String classifier;

    @Mixin
    ModelBackend backendChoice;

    @Option(names = "--out", paramLabel = "FILE", description = "Samples to write (.npy, float64).")
    Path out;

    @Option(names = "--grid", paramLabel = "FILE.png", description = "A picture of the samples: a grid of images (one row per class "
            + "with --class all) or a scatter plot of 2-D points.")
    Path grid;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (out == null && grid == null) {
            throw new InvalidParameterException("--out", "missing", "give --out FILE.npy and/or --grid FILE.png");
        }
        Outputs.checkFiles(out, grid);
        ModelSource source = ModelSource.parse(model.option(), model.spec());
        Map<String, Object> run = new LinkedHashMap<>();
        if (steps != null) {
            run.put("steps", steps);
        }
        if (eta != null) {
            run.put("eta", eta);
        }
        useTunedSteps(source, run);
        checkGuidanceOptions();
        // a mixture's components are the classes, except under classifier guidance, which guides the whole mixture
        boolean componentsAsClasses = classes != null && !"classifier".equals(guidance);
        PipelineParts parts = PipelineParts.none().model(source, componentsAsClasses).sampler(samplerSource.choice(run))
                .listener(new Progress(spec.commandLine().getErr(), "sample"));
        if (classifier != null) {
            parts.classifier(ModelSource.parse("--classifier", classifier));
        }
        try (Pipeline pipeline = Pipelines.build(config(source), parts)) {
            Sampler sampler = pipeline.requireSampler();
            ModelSource.Loaded loaded = pipeline.loadedModel().orElseThrow();
            if (loaded.resources() instanceof Pretrained p) {
                spec.commandLine().getOut().printf(Locale.ROOT, "loaded %s from %s; scheduler %s (%s, %d steps); backend %s%n", p.describe(),
                        p.root(), p.schedulerConfig().map(Path::toString).orElse("-"), sampler.name(),
                        sampler.steps(), pipeline.backend().name() + " " + backendChoice.devices.parameters().asMap());
            } else {                                   // a folder's own scheduler is the default there, printed with the model
                samplerSource.defaultNote(sampler).ifPresent(spec.commandLine().getErr()::println);
            }
            loaded.card().ifPresent(card -> checkDistilled(card, pipeline));
            Denoiser denoiser = pipeline.model();
            TensorBackend backend = pipeline.backend();
            Tensor x = noise.file != null ? Noise.read("--init-noise", noise.file, Noise.sampleShape(denoiser), backend)
                    : Noise.seeded(denoiser, backend, count(denoiser), seed);
            // --class all: one row per class
            int perRow = "all".equals(classes) && denoiser.numClasses() > 0 ? Math.max(1, x.batchSize() / denoiser.numClasses())
                    : (int) Math.ceil(Math.sqrt(x.batchSize()));
            Condition condition = condition(denoiser, x.batchSize());
            sampleAndWrite(pipeline, denoiser, x, condition, perRow);
        }
    }

    /**
     * The configuration of this run: the backend and the guidance from the options; the schedule,
     * sampler and model come from the model source and the scheduler config as {@link PipelineParts}.
     */
    private PipelineConfig config(ModelSource source) {
        Optional<ComponentConfig> guided = Optional.empty();
        if (guidance != null) {
            Map<String, Object> p = KeyValues.parse(guidanceParams);
            if (scale != null) {
                p.put("scale", scale);
            }
            guided = Optional.of(new ComponentConfig(guidance, p));
        }
        return new PipelineConfig(backendChoice.config(source), Optional.empty(), Optional.empty(), guided, Optional.empty(), Optional.empty());
    }

    /** Guidance options that make no sense together fail before any model is loaded. */
    private void checkGuidanceOptions() {
        if (guidance == null) {
            if (scale != null || classifier != null || !guidanceParams.isEmpty()) {
                throw new InvalidParameterException("--guidance", "missing", "--scale, --classifier and --guidance-param need --guidance cfg|classifier");
            }
            return;
        }
        if (classifier != null && !guidance.equals("classifier")) {
            throw new InvalidParameterException("--classifier", classifier, "is used by --guidance classifier only, not by " + guidance);
        }
        if (classes == null) {
            throw new InvalidParameterException("--class", "missing", "guidance needs the class to guide toward: --class K or --class all");
        }
    }

    /**
     * A progressively distilled student takes exactly the DDIM steps it was distilled for
     * ({@link ProgressiveDistillation#grid}); any other plan would ask it for steps it never learned.
     */
    private static void checkDistilled(ModelCard card, Pipeline pipeline) {
        Optional<Integer> distilled = ProgressiveDistillation.distilledSteps(card);
        if (distilled.isEmpty()) {
            return;
        }
        int n = distilled.get();
        Sampler sampler = pipeline.requireSampler();
        boolean same = sampler instanceof BaseSampler b && sampler.name().equals("ddim")
                && pipeline.schedule() instanceof DiscreteSchedule d
                && Arrays.equals(b.timesteps(), new ProgressiveDistillation(d).grid(n));
        if (!same) {
            throw new InvalidParameterException("--steps", sampler.steps(), "this model was distilled for " + n
                    + " DDIM steps; sample it with --sampler ddim --steps " + n
                    + " --param timestep_spacing=trailing --param set_alpha_to_one=true --param clip_sample=false");
        }
    }

    /** With a step schedule that 'ddpm tune-steps' stored in the model card for this sampler and --steps: use it, and say so. */
    private void useTunedSteps(ModelSource source, Map<String, Object> run) {
        if (!source.hasCard() || steps == null || samplerSource.choice.sampler == null) {
            return;
        }
        Map<String, Object> tuned = source.card().tunedSteps(samplerSource.choice.sampler, KeyValues.parse(samplerSource.samplerParams), steps);
        if (tuned != null) {
            run.remove("steps");
            run.putAll(tuned);
            spec.commandLine().getOut().printf(Locale.ROOT, "using the optimized step schedule of the model card (ddpm tune-steps) for %s at %d steps: %s%n",
                    samplerSource.choice.sampler, steps, tuned);
        }
    }

    private void sampleAndWrite(Pipeline pipeline, Denoiser denoiser, Tensor x, Condition condition, int perRow) {
        PrintWriter console = spec.commandLine().getOut();
        long started = System.nanoTime();
        SampleOptions options = SampleOptions.defaults().withSeed(seed + 1).withCondition(condition).withListener(pipeline.listener());
        Tensor samples;
        long evaluations;
        try (SamplingRun r = pipeline.requireSampler().start(denoiser, x, options)) {
            while (!r.isDone()) {
                r.step();
            }
            samples = r.result();
            evaluations = r.modelEvaluations();
        }
        if (out != null) {
            Npy.writeDoubles(out, samples.toDoubleArray(), samples.shape());
        }
        if (grid != null) {
            SamplePicture.save(grid, "--grid", samples, condition, perRow);
        }
        console.printf(Locale.ROOT, "wrote %s: %d samples of %s, %s on %s, %d steps, %d model evaluations, %.2f s%n",
                out != null && grid != null ? out + " and " + grid : out != null ? out : grid,
                samples.batchSize(), Arrays.toString(Arrays.copyOfRange(samples.shape(), 1, samples.rank())), pipeline.requireSampler().name(),
                pipeline.schedule().name(), pipeline.requireSampler().steps(), evaluations, (System.nanoTime() - started) / 1e9);
        console.flush();
    }

    /** The number of samples, refused when the batch would not fit in memory. */
    private int count(Denoiser denoiser) {
        if (noise.count != null && noise.count < 1) {
            throw new InvalidParameterException("--n", noise.count, "must be an integer >= 1");
        }
        int n = noise.count != null ? noise.count
                : classes != null && classes.contains(",") ? classes.split(",").length
                : "all".equals(classes) && denoiser.numClasses() > 0 ? 10 * denoiser.numClasses() : 64;
        Outputs.checkBatchMemory("--n", n, n, Arrays.stream(Noise.sampleShape(denoiser)).asLongStream().reduce(1, (a, b) -> a * b));
        return n;
    }

    /** One label per sample: none, one class for all, or every class in turn (rows of a grid). */
    private Condition condition(Denoiser denoiser, int n) {
        if (classes == null) {
            return Condition.none();
        }
        int k = denoiser.numClasses();
        if (k == 0) {
            throw new InvalidParameterException("--class", classes, "needs a class-conditional model or classifier guidance; this model is unconditional");
        }
        if (classes.equals("all")) {
            int[] labels = new int[n];
            int perClass = Math.max(1, n / k);
            for (int i = 0; i < n; i++) {
                labels[i] = Math.min(k - 1, i / perClass);
            }
            return Condition.classes(labels);
        }
        String[] parts = classes.split(",", -1);
        if (parts.length > 1 && parts.length != n) {
            throw new InvalidParameterException("--class", classes, "lists " + parts.length + " classes, one per sample, but the batch has " + n);
        }
        int[] labels = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                labels[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                labels[i] = -1;
            }
            if (labels[i] < 0 || labels[i] >= k) {
                Object given = parts.length == 1 && parts[0].trim().matches("-?\\d+") ? (Object) labels[0] : classes;
                throw new InvalidParameterException("--class", given, "must be a class number 0.." + (k - 1)
                        + ", 'all', or a comma-separated list of them, one per sample");
            }
        }
        return parts.length > 1 ? Condition.classes(labels) : Condition.repeat(labels[0], n);
    }
}
