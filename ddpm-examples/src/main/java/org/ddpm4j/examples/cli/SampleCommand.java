package org.ddpm4j.examples.cli;

import org.ddpm4j.core.plugin.NativePreload;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.ddpm4j.api.MemoryBudget;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.toolkit.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
import org.ddpm4j.core.training.TunedGuidance;
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
                + "from --seed; a stochastic sampler's own noise from --seed + 1, both keyed by the sample's index (--first-index + row), "
                + "so a sample is the same in any batch. Trained models fix the schedule; the analytic "
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
    /** Values (samples x values per sample) of a default chunk: 16,384 2-D points, 64 images. */
    static final int CHUNK_VALUES = 1 << 15;

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

    @Option(names = "--first-index", paramLabel = "I", defaultValue = "0", description = "The global index of the first sample "
            + "(default: ${DEFAULT-VALUE}). Sample i depends on --seed and i alone: --n 16 --first-index 16 writes exactly rows "
            + "16..31 of --n 64 with the same seed.")
    long firstIndex;

    @Option(names = "--batch", paramLabel = "B", description = "Samples computed at once (default: chunks of about " + CHUNK_VALUES
            + " values, at least 64 samples). Changes nothing but memory and speed; --n of any size runs in bounded memory.")
    Integer batch;

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

    private Progress progress;

    @Override
    public void run() {
        if (out == null && grid == null) {
            throw new InvalidParameterException("--out", "missing", "give --out FILE.npy and/or --grid FILE.png");
        }
        Outputs.checkFiles(out, grid);
        if (firstIndex < 0) {
            throw new InvalidParameterException("--first-index", firstIndex, "must be an integer >= 0 (the global index of the first sample)");
        }
        ModelSource source = ModelSource.parse(model.option(), model.spec());
        NativePreload.start(backendChoice.config(source).type());
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
        progress = new Progress(spec.commandLine().getErr(), "sample");
        PipelineParts parts = PipelineParts.none().model(source, componentsAsClasses).sampler(samplerSource.choice(run))
                .listener(progress);
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
            loaded.card().ifPresent(card -> {
                DistilledStudents.checkPlan(card, sampler, pipeline.schedule());
                DistilledStudents.checkNoGuidance(card, guidance, "--guidance");
            });
            Denoiser denoiser = pipeline.model();
            LearnedVarianceNote.of(denoiser, pipeline.requireSampler()).ifPresent(spec.commandLine().getErr()::println);
            int[] sampleShape = Noise.sampleShape(denoiser);
            Npy.Array file = noise.file != null ? Noise.readArray("--init-noise", noise.file, sampleShape) : null;
            int n = file != null ? file.shape()[0] : count(denoiser);
            // --class all: one row per class
            int perRow = "all".equals(classes) && denoiser.numClasses() > 0 ? Math.max(1, n / denoiser.numClasses())
                    : (int) Math.ceil(Math.sqrt(n));
            Condition condition = condition(denoiser, n);
            new Chunks(pipeline, denoiser, sampleShape, n, file, condition).sampleAndWrite(perRow);
        }
    }

    /**
     * The run cut into batches of at most {@link #chunk} samples: batch {@code b} draws the initial
     * noise of samples {@code firstIndex + from ..} and gives the sampler that first index, so the
     * samples do not depend on the cut; each batch is written out before the next one starts.
     */
    private final class Chunks {
        private final Pipeline pipeline;
        private final Denoiser denoiser;
        private final int[] sampleShape;
        private final int n;
        private final int rowLength;
        private final Npy.Array file;
        private final Condition condition;
        private final int chunk;
        private final float[] kept;
        private long evaluations;

        Chunks(Pipeline pipeline, Denoiser denoiser, int[] sampleShape, int n, Npy.Array file, Condition condition) {
            this.pipeline = pipeline;
            this.denoiser = denoiser;
            this.sampleShape = sampleShape;
            this.n = n;
            this.rowLength = Math.toIntExact(Arrays.stream(sampleShape).asLongStream().reduce(1, (a, b) -> a * b));
            this.file = file;
            this.condition = condition;
            this.chunk = chunkSize(pipeline.requireSampler(), n, rowLength);
            progress.expectRuns((n + chunk - 1) / chunk);
            if (grid != null) {
                MemoryBudget.require("--n", n, 3.0 * n * rowLength * Float.BYTES,
                        "--grid holds every sample in memory: draw the picture from fewer samples, or write --out only (sampled in chunks)");
            }
            this.kept = grid != null ? new float[Math.multiplyExact(n, rowLength)] : null;
        }

        void sampleAndWrite(int perRow) {
            PrintWriter console = spec.commandLine().getOut();
            long started = System.nanoTime();
            if (out != null) {
                AtomicFiles.write(out, this::sampleAll);
            } else {
                try {
                    sampleAll(null);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (grid != null) {
                SamplePicture.save(grid, "--grid", new HostArray(shape(n), kept), condition, perRow);
            }
            Sampler sampler = pipeline.requireSampler();
            int batches = (n + chunk - 1) / chunk;
            console.printf(Locale.ROOT, "wrote %s: %d samples of %s, %s on %s, %d steps, %d model evaluations, %.2f s; indices %d..%d%s%n",
                    out != null && grid != null ? out + " and " + grid : out != null ? out : grid,
                    n, Arrays.toString(sampleShape), sampler.name(), pipeline.schedule().name(), sampler.steps(), evaluations,
                    (System.nanoTime() - started) / 1e9, firstIndex, firstIndex + n - 1,
                    batches > 1 ? " in " + batches + " batches of up to " + chunk : "");
            console.flush();
        }

        /** Samples every batch in turn, writing each to {@code npy} (a float64 .npy, or null) and to the picture's copy. */
        private void sampleAll(OutputStream npy) throws IOException {
            if (npy != null) {
                Npy.writeDoublesHeader(npy, shape(n));
            }
            TensorBackend backend = pipeline.backend();
            Sampler sampler = pipeline.requireSampler();
            SampleOptions options = SampleOptions.defaults().withSeed(seed + 1).withListener(pipeline.listener());
            for (int from = 0; from < n; from += chunk) {
                int size = Math.min(chunk, n - from);
                try (TensorScope scope = backend.openScope()) {
                    Tensor x = file != null
                            ? backend.fromHost(Arrays.copyOfRange(file.data(), from * rowLength, (from + size) * rowLength), shape(size))
                            : Noise.seeded(backend, size, sampleShape, seed, firstIndex + from);
                    try (SamplingRun r = sampler.start(denoiser, x, options.withFirstIndex(firstIndex + from)
                            .withCondition(condition.slice(from, from + size)))) {
                        while (!r.isDone()) {
                            r.step();
                        }
                        double[] values = r.result().toDoubleArray();
                        evaluations += r.modelEvaluations();
                        if (npy != null) {
                            Npy.writeDoubleValues(npy, values);
                        }
                        if (kept != null) {
                            for (int i = 0; i < values.length; i++) {
                                kept[from * rowLength + i] = (float) values[i];
                            }
                        }
                    }
                }
            }
        }

        private int[] shape(int rows) {
            int[] shape = new int[sampleShape.length + 1];
            shape[0] = rows;
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            return shape;
        }
    }

    /**
     * The samples of one batch: {@code --batch}, else {@link #CHUNK_VALUES} values (at least 64
     * samples), at most {@code n}. A sampler that couples its batch runs {@code n} at once.
     */
    private int chunkSize(Sampler sampler, int n, int rowLength) {
        if (batch != null && batch < 1) {
            throw new InvalidParameterException("--batch", batch, "must be an integer >= 1");
        }
        if (sampler.couplesBatch() && batch != null && batch < n) {
            throw new InvalidParameterException("--batch", batch, "cannot cut the run: sampler '" + sampler.name()
                    + "' couples the samples of a batch (a step size or error control shared by the batch), so a sample depends on "
                    + "its batch; drop --batch or give --batch >= --n (" + n + ")");
        }
        if (sampler.couplesBatch() && firstIndex != 0) {
            throw new InvalidParameterException("--first-index", firstIndex, "cannot continue a larger run: sampler '" + sampler.name()
                    + "' couples the samples of a batch, so a sample depends on its batch; use another sampler or --first-index 0");
        }
        if (firstIndex > Long.MAX_VALUE - n) {
            throw new InvalidParameterException("--first-index", firstIndex, "leaves no room for " + n + " samples: the last index must be <= "
                    + Long.MAX_VALUE);
        }
        int size = batch != null ? Math.min(batch, n)
                : sampler.couplesBatch() ? n : Math.min(n, Math.max(64, CHUNK_VALUES / Math.max(1, rowLength)));
        Outputs.checkBatchMemory(batch != null ? "--batch" : "--n", batch != null ? batch : n, size, rowLength);
        return size;
    }

    /**
     * The configuration of this run: the backend and the guidance from the options; the schedule,
     * sampler and model come from the model source and the scheduler config as {@link PipelineParts}.
     */
    private PipelineConfig config(ModelSource source) {
        return new PipelineConfig(backendChoice.config(source), Optional.empty(), Optional.empty(), guidanceConfig(), Optional.empty(),
                Optional.empty());
    }

    /** The guidance of the options: the plugin with --guidance-param and --scale. */
    private Optional<ComponentConfig> guidanceConfig() {
        if (guidance == null) {
            return Optional.empty();
        }
        Map<String, Object> p = KeyValues.parse(guidanceParams);
        if (scale != null) {
            p.put("scale", scale);
        }
        return Optional.of(new ComponentConfig(guidance, p));
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

    /** With a step schedule that 'ddpm tune-steps' stored in the model card for this sampler and --steps: use it, and say so. */
    private void useTunedSteps(ModelSource source, Map<String, Object> run) {
        if (!source.hasCard() || steps == null || samplerSource.choice.sampler == null) {
            return;
        }
        Map<String, Object> given = KeyValues.parse(samplerSource.samplerParams);
        Map<String, Object> guided = guidanceConfig().map(ComponentConfig::toMap).orElse(null);
        Map<String, Object> tuned = source.card().tunedSteps(samplerSource.choice.sampler, given, steps, guided);
        if (tuned != null) {
            run.remove("steps");
            run.putAll(tuned);
            spec.commandLine().getOut().printf(Locale.ROOT, "using the optimized step schedule of the model card (ddpm tune-steps) for %s at %d steps: %s%n",
                    samplerSource.choice.sampler, steps, tuned);
        } else {
            List<String> others = source.card().tunedGuidances(samplerSource.choice.sampler, given, steps);
            if (!others.isEmpty()) {
                spec.commandLine().getErr().printf(Locale.ROOT, "note: the model card's step schedules for %s at %d steps were tuned under "
                        + "guidance %s, not this run's (%s): sampling on the sampler's own spacing%n", samplerSource.choice.sampler, steps, others,
                        TunedGuidance.describe(guided));
            }
        }
    }

    /** The number of samples drawn from --seed (memory is checked per batch: {@link #chunkSize}). */
    private int count(Denoiser denoiser) {
        if (noise.count != null && noise.count < 1) {
            throw new InvalidParameterException("--n", noise.count, "must be an integer >= 1");
        }
        return noise.count != null ? noise.count
                : classes != null && classes.contains(",") ? classes.split(",").length
                : "all".equals(classes) && denoiser.numClasses() > 0 ? 10 * denoiser.numClasses() : 64;
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
            if (firstIndex != 0) {
                throw new InvalidParameterException("--class", classes, "lays the classes out over this run's --n samples (a grid), "
                        + "so it cannot continue another run at --first-index " + firstIndex + "; give --class K or one class per sample");
            }
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
