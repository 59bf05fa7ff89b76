package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.Trajectory;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.toolkit.io.StagedDirectory;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingData;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.examples.data.Datasets;
import org.ddpm4j.examples.data.Toy2d;
import org.ddpm4j.examples.metrics.ManifoldMetrics;
import org.ddpm4j.examples.metrics.SampleQuality;
import org.ddpm4j.examples.plot.Chart;
import org.ddpm4j.examples.plot.Figure;
import org.ddpm4j.examples.plot.LossCurve;
import org.ddpm4j.examples.plot.PointCloud;
import org.ddpm4j.examples.plot.TrajectoryFigure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The whole story in about a minute on two CPU cores, without downloads: train an MLP denoiser on
 * a 2-D toy distribution, sample with a fast solver, and write pictures and numbers that show how
 * close the samples are to held-out data.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a small diffusion model on 2-D points (about a minute on 2 CPU cores), sample from it and write into --out: "
                + "samples.png (held-out data vs samples), trajectory.png (noise turning into data), loss.png, metrics.json "
                + "(a k-NN classifier two-sample test, precision/recall, density/coverage, energy distance and MMD against held-out data, "
                + "each with the floor of two halves of held-out data), samples.npy and "
                + "the trained model (model/, usable as checkpoint:DIR by the sample and edit commands).",
        footer = {"", "Defaults per dataset (docs/BENCHMARKS.md, 'Per-dataset defaults of the demo'):",
                // as DemoCommand.Recipe.of has them (DemoCommandTest checks)
                "  swiss-roll   --train-steps 4000 --predict epsilon",
                "  moons        --train-steps 4000 --predict epsilon",
                "  8gaussians   --train-steps 6000 --predict v",
                "  checkerboard --train-steps 8000 --predict v",
                "", "The outputs appear together: an interrupted run leaves the previous run's complete set (or none), never a mix;",
                "--out is locked while a run writes it, and may hold only what an earlier demo run wrote there.",
                "", "Examples:",
                "  ddpm demo",
                "  ddpm demo --dataset 8gaussians --out runs/ring",
                "  ddpm demo --backend tf --sampler ddim --steps 50",
                "  ddpm demo --train-steps 10000 --hp hidden=256 --n 5000 --out runs/long"})
final class DemoCommand implements Runnable {

    /** The 2-D datasets the demo trains on (not fashion-mnist). */
    static final class ToyNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Toy2d.values()).map(Toy2d::id).iterator();
        }
    }

    @Option(names = "--dataset", defaultValue = "moons", completionCandidates = ToyNames.class,
            description = "2-D dataset: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--backend", defaultValue = "djl", description = "Backend plugin that trains the network: djl or tf (default ${DEFAULT-VALUE}).")
    String backendName;

    @Option(names = "--train-steps", description = "Optimizer steps (default: the dataset's, see below).")
    Integer trainSteps;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate, decayed along a half cosine (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--ema", defaultValue = "0.995", description = "EMA decay of the weights used for sampling (default ${DEFAULT-VALUE}).")
    double ema;

    @Option(names = "--hp", paramLabel = "KEY=VALUE", description = "MLP hyper-parameter of docs/NETWORKS.md, e.g. hidden=256 (repeatable).")
    Map<String, String> hyperparameters = new LinkedHashMap<>();

    @Option(names = "--objective", defaultValue = "denoising", description = "denoising (DDPM's noise prediction on the linear schedule) "
            + "or flow (flow matching on the rectified-flow path: the same MLP predicts the velocity) (default ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--predict", description = "What the network predicts with --objective denoising: epsilon, x0 or v "
            + "(default: the dataset's, see below).")
    String predict;

    @Option(names = "--min-snr", description = "Min-SNR-gamma loss weighting with this gamma (e.g. 5; default uniform weights).")
    Double minSnr;

    @Option(names = "--sampler", description = "Sampler plugin (default dpmsolver++, flow-heun with --objective flow; see 'ddpm plugins').")
    String samplerName;

    @Option(names = "--steps", defaultValue = "50", description = "Sampling steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter (repeatable). The demo sets clip_sample=false "
            + "and, unless another spacing flag is given, use_lu_lambdas=true, where the sampler has them: steps uniform in log-SNR, "
            + "so the last steps resolve the data's fine spread (docs/BENCHMARKS.md: 'Why the demo's samples were thin').")
    Map<String, String> samplerParameters = new LinkedHashMap<>();

    @Option(names = {"--n", "--samples"}, paramLabel = "N", defaultValue = "2000", description = "Points generated, and twice as many "
            + "held-out points to compare with (default ${DEFAULT-VALUE}; --samples is the old name).")
    int samples;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of everything random (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "runs/demo", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    DeviceOptions devices;

    @Option(names = "--progress-seconds", defaultValue = "2", description = "Seconds between progress lines (default ${DEFAULT-VALUE}).")
    double progressSeconds;

    @Spec
    CommandSpec spec;

    /**
     * What each toy set trains with by default, within about a minute on two quiet cores: the eight
     * Gaussians' tight modes and the checkerboard's sharp edges need v-prediction and 6,000 steps,
     * the checkerboard 8,000 (docs/BENCHMARKS.md, "Per-dataset defaults of the demo" and "The tf
     * backend's tight modes: the initialisation").
     */
    record Recipe(int trainSteps, String predict) {

        static Recipe of(Toy2d toy) {
            return switch (toy) {
                case MOONS, SWISS_ROLL -> new Recipe(4000, "epsilon");
                case EIGHT_GAUSSIANS -> new Recipe(6000, "v");
                case CHECKERBOARD -> new Recipe(8000, "v");
            };
        }

    }

    /** Training points; a fresh set of {@code 2 * samples} from another seed is held out. */
    private static final int TRAINING_POINTS = 20_000;
    /** Panels of the trajectory picture (time slices) and paths drawn in its last panel. */
    private static final int SLICES = 6;
    private static final int PATHS = 60;
    /** What a run writes into --out (an older --out without a manifest may hold these). */
    private static final java.util.Set<String> OUTPUTS = java.util.Set.of("samples.png", "trajectory.png", "loss.png", "metrics.json",
            "samples.npy", "model");

    @Override
    public void run() {
        long started = System.nanoTime();
        PrintWriter console = spec.commandLine().getOut();
        Toy2d toy = Toy2d.parse(dataset);
        Recipe recipe = Recipe.of(toy);
        if (trainSteps == null) {
            trainSteps = recipe.trainSteps();
        }
        if (predict == null && !"flow".equals(objective)) {
            predict = recipe.predict();
        }
        if (samples <= ManifoldMetrics.DEFAULT_K) {
            throw new InvalidParameterException("--n", samples, "must be an integer > " + ManifoldMetrics.DEFAULT_K
                    + " (the metrics' k-NN balls need more points than neighbours)");
        }
        if (trainSteps < 1 || batch < 1) {
            throw new InvalidParameterException(trainSteps < 1 ? "--train-steps" : "--batch", Math.min(trainSteps, batch), "must be an integer >= 1");
        }
        TrainingProgress progress = new TrainingProgress(console, progressSeconds, false);
        boolean flow = switch (objective) {
            case "denoising" -> false;
            case "flow" -> true;
            default -> throw new InvalidParameterException("--objective", objective, "must be denoising or flow");
        };
        if (samplerName == null) {
            samplerName = flow ? "flow-heun" : "dpmsolver++";
        }
        TrainingData training = Datasets.unlabeled(toy.data(TRAINING_POINTS, seed));
        double[][] heldOut = toy.sample(2 * samples, seed + 1);
        if (flow && predict != null) {
            throw new InvalidParameterException("--predict", predict, "is for --objective denoising (flow predicts the velocity)");
        }
        if (minSnr != null && !(minSnr > 0)) {
            throw new InvalidParameterException("--min-snr", minSnr, "must be a number > 0");
        }
        Parameterization target = flow ? Parameterization.FLOW : predict == null ? Parameterization.EPSILON : Parameterization.parse("--predict", predict);
        NetworkSpec network = new NetworkSpec("mlp", new int[] {2}, 0, target,
                Parameters.of(KeyValues.parse(hyperparameters)));
        TrainingSettings settings = new TrainingSettings(trainSteps, batch, learningRate, Math.min(100, trainSteps), true, seed, 0, 1);
        OptimizerSettings optimizer = OptimizerSettings.defaults().withSeed(seed).withEmaDecay(ema);
        Map<String, Object> timings = new LinkedHashMap<>();
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(backendName, devices.parameters(backendName).asMap()))
                .withSchedule(ComponentConfig.of(flow ? "rectified-flow" : "linear"));
        // the network is trained on the pipeline's backend and sampled by a sampler on its schedule
        try (Pipeline pipeline = Pipelines.build(config);
             // all outputs are written into a staging directory and appear together, replacing the previous run's
             StagedDirectory staged = StagedDirectory.begin("--out", out, OUTPUTS)) {
            TensorBackend backend = pipeline.backend();
            Schedule schedule = pipeline.schedule();
            if (!(backend instanceof NetworkBackend networks)) {
                throw new InvalidParameterException("--backend", backendName, "cannot train networks; use djl or tf");
            }
            Sampler sampler = sampler(pipeline);
            Objective trainingObjective = new Objective(schedule, target, minSnr == null ? LossWeighting.UNIFORM : LossWeighting.minSnr(minSnr), 0);
            Path dir = staged.dir();
            CheckpointStore store = new CheckpointStore(dir.resolve("model"));
            store.writeCard(ModelCard.of("denoiser", network, schedule, backend.name(),
                    Map.of("dataset", toy.id(), "samples", TRAINING_POINTS, "seed", seed)).withObjective(trainingObjective.describe()));
            try (TrainableDenoiser trainable = networks.newDenoiser(network, optimizer)) {
                console.printf(Locale.ROOT, "demo: %s (%s); an MLP denoiser of %,d parameters on %s %s, %,d steps of %d%n",
                        toy.id(), toy.description(), trainable.parameterCount(), backend.name(), backend.device(), trainSteps, batch);
                console.flush();
                long t0 = System.nanoTime();
                Trainer.Result result = new Trainer(settings, training, backend, progress)
                        .trainDenoiser(trainable, trainingObjective, Optional.of(store), false);
                timings.put("train_seconds", seconds(t0));
                LossCurve.save(dir.resolve("loss.png"), result.losses());

                long t1 = System.nanoTime();
                Tensor noise = backend.randn(new GaussianNoise(seed + 2), samples, 2);
                Trajectory trajectory = new Trajectory(1);
                trajectory.recordStart(schedule.tMax(), noise.toHost());
                Tensor x0 = sampler.sample(trainable.ema(), noise, SampleOptions.defaults().withSeed(seed + 3)
                        .withListener(trajectory.andThen(new Progress(console, "sample"))));
                double[] flat = x0.toDoubleArray();
                timings.put("sample_seconds", seconds(t1));
                long t2 = System.nanoTime();
                SampleQuality quality = quality(flat, heldOut);
                timings.put("metrics_seconds", seconds(t2));
                write(dir, toy, sampler, PointCloud.ofRows(heldOut).first(samples), flat, trajectory, quality, timings, started);
                staged.commit();
                report(quality, flat, timings, console);
            }
        }
    }

    /** Writes the outputs into {@code dir} (the staging directory). */
    private void write(Path dir, Toy2d toy, Sampler sampler, PointCloud data, double[] flat, Trajectory trajectory, SampleQuality quality,
                       Map<String, Object> timings, long started) {
        Npy.writeDoubles(dir.resolve("samples.npy"), flat, flat.length / 2, 2);
        PointCloud generated = PointCloud.ofFlat(flat);
        double h = PointCloud.halfWidth(4, data, generated);
        Figure.save(dir.resolve("samples.png"), 2, 480, 480, List.of(
                new Chart("held-out data (" + data.x().length + " points)", "x", "y").xRange(-h, h).yRange(-h, h)
                        .scatter("", data.x(), data.y(), Chart.PALETTE[0], 3f),
                new Chart(String.format(Locale.ROOT, "samples (%s, %d steps)", sampler.name(), sampler.steps()), "x", "y")
                        .xRange(-h, h).yRange(-h, h).scatter("", generated.x(), generated.y(), Chart.PALETTE[1], 3f)));
        TrajectoryFigure.save(dir.resolve("trajectory.png"), trajectory.points(), sampler.schedule(), SLICES, PATHS, 300);
        timings.put("total_seconds", seconds(started));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("dataset", toy.id());
        metrics.put("backend", backendName);
        metrics.put("objective", objective);
        metrics.put("train_steps", trainSteps);
        metrics.put("learning_rate", learningRate);
        metrics.put("predict", flow() ? "flow" : predict);
        if (minSnr != null) {
            metrics.put("min_snr", minSnr);
        }
        metrics.put("network", new java.util.TreeMap<>(hyperparameters));
        metrics.put("sampler", sampler.name());
        metrics.put("sampler_steps", sampler.steps());
        metrics.put("sampler_parameters", samplerSettings);
        metrics.putAll(quality.toMap());
        metrics.putAll(timings);
        Json.write(metrics, dir.resolve("metrics.json"));
    }

    /** The summary on the console, once the outputs are in place. */
    private void report(SampleQuality quality, double[] flat, Map<String, Object> timings, PrintWriter console) {
        console.println(quality.summary());
        console.printf(Locale.ROOT, "wrote into %s (%.1f s):%n", out, (double) timings.get("total_seconds"));
        for (String[] f : new String[][] {{"samples.png", "held-out data and samples side by side"},
                {"trajectory.png", "noise turning into data, " + SLICES + " time slices and " + PATHS + " paths"},
                {"loss.png", "training loss"}, {"metrics.json", "C2ST, precision/recall, density/coverage, energy distance and MMD, each with its floor; timings"},
                {"samples.npy", "the samples, float64 [" + flat.length / 2 + ", 2]"},
                {"model/", "the trained model: ddpm sample --checkpoint " + out.resolve("model") + " ..."}}) {
            console.printf(Locale.ROOT, "  %-15s %s%n", f[0], f[1]);
        }
        console.flush();
    }

    /** Flags that choose the sampler's noise levels; given one, the demo leaves the spacing to it. */
    private static final List<String> SPACING_FLAGS = List.of("use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas",
            "use_lu_lambdas", "use_flow_sigmas", "timestep_spacing", "timesteps");

    /** The parameters the sampler was made with, for metrics.json. */
    private Map<String, Object> samplerSettings = Map.of();

    /**
     * The sampler with the demo's defaults where it has them: no clipping of its x0 estimates into
     * [-1, 1] (diffusers' default for ddpm and ddim, made for images, would squash the toy sets that
     * reach +-2.5), and steps uniform in log-SNR (diffusers' default, uniform in t, ends with one step
     * from noise 0.14 to 0, more than twice the moons' spread, which returns the denoiser's mean there:
     * thin samples). The user's --param values come on top.
     */
    private Sampler sampler(Pipeline pipeline) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("clip_sample", false);
        Map<String, Object> given = KeyValues.parse(samplerParameters);
        if (given.keySet().stream().noneMatch(SPACING_FLAGS::contains)) {
            defaults.put("use_lu_lambdas", true);
        }
        while (true) {
            Map<String, Object> p = new LinkedHashMap<>(defaults);
            p.putAll(given);
            p.put("steps", steps);
            try {
                Sampler sampler = pipeline.sampler(new ComponentConfig(samplerName, p));
                samplerSettings = p;
                return sampler;
            } catch (InvalidParameterException e) {
                // a default this sampler does not have is dropped; the user's own parameters are never dropped
                String unknown = defaults.keySet().stream().filter(k -> e.parameter().endsWith(k) && !given.containsKey(k))
                        .findFirst().orElseThrow(() -> e);
                defaults.remove(unknown);
            }
        }
    }

    /** Distances of the samples to held-out data. */
    private static SampleQuality quality(double[] flat, double[][] heldOut) {
        double[][] points = new double[flat.length / 2][];
        for (int i = 0; i < points.length; i++) {
            points[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
        }
        return SampleQuality.measure(points, heldOut);
    }

    private boolean flow() {
        return "flow".equals(objective);
    }

    private static double seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e7) / 100.0;
    }
}
