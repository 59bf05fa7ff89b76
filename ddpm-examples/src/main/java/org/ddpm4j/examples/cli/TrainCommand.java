package org.ddpm4j.examples.cli;

import org.ddpm4j.core.plugin.NativePreload;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.DiffusersUNetConfig;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.TimeDistribution;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.Trainable;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.DirectoryLock;
import org.ddpm4j.toolkit.io.OutputPaths;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.progress.ProgressReporter;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.DataFingerprint;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingData;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.examples.data.Datasets;
import org.ddpm4j.examples.flow.Reflow;
import org.ddpm4j.examples.plot.LossCurve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Trains a denoiser (or a noisy-input classifier) on any backend that builds networks, with
 * checkpoints, resume, a progress line and a loss-curve PNG.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a denoiser or a noisy-input classifier; writes checkpoints, a model card and loss.png into --out.",
        footer = {"", "Network hyper-parameters (--hp) are those of docs/NETWORKS.md, e.g. hidden=256 blocks=4 or channel_mult=[1,2,2].",
                "To continue an interrupted run, repeat the same command with --resume (a larger --train-steps trains longer).",
                "", "Examples:",
                "  ddpm train --dataset moons --train-steps 5000 --out runs/moons",
                "  ddpm train --dataset 8gaussians --conditional --cond-dropout 0.1 --out runs/ring",
                "  ddpm train --dataset moons --model classifier --train-steps 2000 --out runs/moons-classifier",
                "  ddpm train --data images.npy --arch unet --hp channels=32 --batch 64 --device gpu --out runs/images",
                "  ddpm train --dataset moons --train-steps 5000 --out runs/moons --resume",
                "  ddpm train --dataset fashion-mnist --conditional --hp channels=32 --batch 64 --train-steps 2000 --out runs/fashion",
                "  ddpm train --dataset fashion-mnist --model classifier --clean --train-steps 600 --out runs/fashion-eval",
                "  ddpm train --dataset moons --objective flow --time-distribution logit-normal:0,1 --out runs/moons-flow",
                "  ddpm train --dataset moons --loss hybrid --out runs/moons-learned",
                "  ddpm train --reflow-from runs/moons-flow --train-steps 5000 --out runs/moons-reflow"})
final class TrainCommand implements Runnable {

    @Option(names = "--dataset", description = "Built-in dataset: ${COMPLETION-CANDIDATES} (default: moons, or fashion-mnist "
            + "when --data is a folder).", completionCandidates = DatasetNames.class)
    String dataset;

    @Option(names = "--data", paramLabel = "FILE.npy|DIR", description = "A NumPy .npy array [n, ...] of samples scaled to about [-1, 1], "
            + "or the folder of Fashion-MNIST's IDX files (default /usr/share/datasets/fashion-mnist).")
    Path file;

    @Option(names = "--labels", description = "A NumPy .npy array [n] of integer class labels for --data FILE.npy.")
    Path labels;

    @Option(names = {"--data-size", "--samples"}, paramLabel = "N", description = "Training points generated for a 2-D dataset "
            + "(default 8000); the first N training images of fashion-mnist (default: all 60,000). --samples is the old name.")
    Integer samples;

    @Option(names = "--conditional", description = "Condition the denoiser on the class labels (classifier-free guidance).")
    boolean conditional;

    @Option(names = "--model", defaultValue = "denoiser", description = "denoiser or classifier (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--clean", description = "Train the classifier on clean data (t = 0) only: the evaluation classifier of 'ddpm eval'.")
    boolean clean;

    @Option(names = "--arch", description = "Denoiser architecture: mlp (points), unet (images) or diffusers-unet (diffusers' UNet2DModel, "
            + "--hp takes its config.json keys; exportable with `ddpm export`); default from the data's shape.")
    String architecture;

    @Option(names = "--hp", description = "Network hyper-parameter KEY=VALUE (repeatable).")
    Map<String, String> hyperparameters = new LinkedHashMap<>();

    @Option(names = "--objective", defaultValue = "denoising", description = "denoising (a diffusion schedule) or flow (conditional flow "
            + "matching on the rectified-flow path: velocity target, schedule rectified-flow) (default ${DEFAULT-VALUE}).")
    String objectiveName;

    @Option(names = "--time-distribution", paramLabel = "uniform|logit-normal:M,S|mode:SCALE", description = "Flow matching's draw of "
            + "the path time: uniform, logit-normal (SD3: logit-normal:0,1) or mode (default uniform).")
    String timeDistribution;

    @Option(names = "--reflow-from", paramLabel = "DIR", description = "Reflow (rectified flow): generate --reflow-pairs couplings "
            + "(noise, sample) with the flow model in DIR and train a new flow model of the same network on them (instead of --dataset).")
    Path reflowFrom;

    @Option(names = "--reflow-pairs", defaultValue = "20000", description = "Couplings generated for --reflow-from (default ${DEFAULT-VALUE}).")
    int reflowPairs;

    @Option(names = "--reflow-steps", defaultValue = "50", description = "Heun steps of the ODE that generates the couplings "
            + "(default ${DEFAULT-VALUE}).")
    int reflowSteps;

    @Option(names = "--reflow-scale", paramLabel = "W", description = "Classifier-free guidance scale w of the couplings of a "
            + "class-conditional --reflow-from model: each coupling is generated for a class with the guided flow, so the new model "
            + "learns the guided flow and samples it at w = 1 (default 1: the conditional flow, unguided).")
    Double reflowScale;

    @Option(names = "--reflow-warm-start", description = "Start the reflowed network from the weights of the --reflow-from model "
            + "(its EMA) instead of a random initialisation (fine-tuning the flow on its couplings); the optimizer starts fresh.")
    boolean reflowWarmStart;

    @Option(names = "--predict", description = "What the denoiser predicts: epsilon, x0 or v (default epsilon; flow with --objective flow).")
    String predict;

    @Option(names = "--loss", defaultValue = "simple", description = "simple (the regression, L_simple), hybrid (L_simple + lambda L_vlb, "
            + "the mean's gradient stopped in L_vlb) or vlb (L_vlb alone, t importance-sampled); hybrid and vlb give the network a learned "
            + "variance (output channels doubled, variance_output learned_range; Nichol & Dhariwal 2021) (default ${DEFAULT-VALUE}).")
    String lossName;

    @Option(names = "--vlb-weight", paramLabel = "LAMBDA", defaultValue = "0.001", description = "lambda of --loss hybrid (default ${DEFAULT-VALUE}).")
    double vlbWeight;

    @Option(names = "--schedule", description = "Noise schedule plugin (default linear; rectified-flow with --objective flow).")
    String schedule;

    @Option(names = "--schedule-param", description = "A schedule parameter KEY=VALUE (repeatable).")
    Map<String, String> scheduleParameters = new LinkedHashMap<>();

    @Option(names = {"--train-steps", "--steps"}, paramLabel = "N", defaultValue = "5000",
            description = "Optimizer steps (default ${DEFAULT-VALUE}; --steps is the old name).")
    int steps;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--warmup", defaultValue = "100", description = "Linear warm-up steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--cosine-decay", description = "Decay the learning rate to 0 along a half cosine after warm-up.")
    boolean cosineDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of everything random (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ema", defaultValue = "0.999", description = "EMA decay of the weights used for sampling (default ${DEFAULT-VALUE}).")
    double ema;

    @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW's decoupled weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--grad-clip", defaultValue = "1", description = "Global gradient-norm clip, 0 for none (default ${DEFAULT-VALUE}).")
    double gradClip;

    @Option(names = "--min-snr", description = "Min-SNR-gamma loss weighting with this gamma (e.g. 5).")
    Double minSnr;

    @Option(names = "--cond-dropout", description = "Probability of the null label when --conditional (default 0.1; 0 with "
            + "--arch diffusers-unet, whose UNet2DModel has no null class).")
    Double conditionDropout;

    @Option(names = "--checkpoint-every", defaultValue = "1000", description = "Checkpoint every N steps and at the end (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--keep", defaultValue = "2", description = "Checkpoints to keep (default ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--out", required = true, description = "Model directory (checkpoints, model-card.json, loss.png).")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
    boolean resume;

    @Option(names = "--backend", defaultValue = "djl", description = "Backend plugin that builds networks (default ${DEFAULT-VALUE}).")
    String backendName;

    @Mixin
    DeviceOptions devices;

    @Option(names = "--progress-seconds", defaultValue = "2", description = "Seconds between progress lines (default ${DEFAULT-VALUE}).")
    double progressSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter console = spec.commandLine().getOut();
        TrainingProgress progress = new TrainingProgress(console, progressSeconds);
        OutputPaths.checkDirectory("--out", out);
        NativePreload.start(backendName);
        if (reflowFrom != null) {
            reflow(console);
            return;
        }
        boolean classifier = switch (model) {
            case "denoiser" -> false;
            case "classifier" -> true;
            default -> throw new InvalidParameterException("model", model, "must be denoiser or classifier");
        };
        TrainingData training = data();
        if (classifier && training.numClasses() == 0) {
            throw new InvalidParameterException("model", model, "a classifier needs labelled data (--dataset, or --data with --labels)");
        }
        if (clean && !classifier) {
            throw new InvalidParameterException("clean", true, "applies to --model classifier");
        }
        if (!classifier && conditional && training.numClasses() == 0) {
            throw new InvalidParameterException("conditional", true, "needs labelled data (--dataset, or --data with --labels)");
        }
        if (!classifier && !conditional) {
            training = Datasets.unlabeled(training);
        }
        boolean flow = switch (objectiveName) {
            case "denoising" -> false;
            case "flow" -> true;
            default -> throw new InvalidParameterException("objective", objectiveName, "must be denoising or flow");
        };
        if (flow && classifier) {
            throw new InvalidParameterException("objective", objectiveName, "applies to denoisers; a classifier learns from diffusion noise");
        }
        TrainingSettings settings = new TrainingSettings(steps, batch, learningRate, Math.min(warmup, steps), cosineDecay, seed,
                checkpointEvery, keep);
        OptimizerSettings optimizer = OptimizerSettings.defaults().withSeed(seed).withEmaDecay(ema).withWeightDecay(weightDecay)
                .withGradientClipNorm(gradClip);
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(backendName, devices.parameters(backendName).asMap()))
                .withSchedule(new ComponentConfig(schedule != null ? schedule : flow ? "rectified-flow" : "linear", KeyValues.parse(scheduleParameters)));
        try (Pipeline pipeline = Pipelines.build(config)) {   // the backend that trains, and the schedule of the noise
            TensorBackend backend = pipeline.backend();
            Schedule noise = pipeline.schedule();
            if (flow && !(noise instanceof org.ddpm4j.api.path.FlowSchedule)) {
                throw new InvalidParameterException("schedule", schedule, "is a diffusion schedule; --objective flow trains on a flow path "
                        + "(rectified-flow)");
            }
            NetworkSpec network = network(training, noise, classifier);
            if (!(backend instanceof NetworkBackend networks)) {
                throw new InvalidParameterException("backend", backendName, "cannot train networks; use djl or tf");
            }
            Objective objective = classifier ? null : objective(noise, network);
            ModelCard named = ModelCard.of(classifier ? "classifier" : "denoiser", network, noise, backend.name(), dataFacts(training))
                    .withClassNames(network.numClasses() > 0 && builtIn() ? Datasets.classNames(datasetName()) : List.of());
            ModelCard card = objective == null ? named : named.withObjective(objective.describe());
            Path created = firstMissing(out); // what this run creates, parents included (null: --out exists)
            // one writer per directory: a second run into it (or a concurrent --resume) fails here, naming this one
            try (DirectoryLock lock = DirectoryLock.acquire("--out", out)) {
                CheckpointStore store = new CheckpointStore(out);
                boolean hadCard = Files.exists(out.resolve(ModelCard.FILE));
                try (Trainable trainable = classifier ? networks.newClassifier(network, optimizer) : networks.newDenoiser(network, optimizer)) {
                    store.writeCard(card);
                    console.printf(Locale.ROOT, "training a %s %s (%,d parameters) on %,d samples %s, %s on %s %s%n",
                            network.architecture(), classifier ? "classifier" : "denoiser", trainable.parameterCount(), training.size(),
                            java.util.Arrays.toString(training.sampleShape()), noise.name(), backend.name(), backend.device());
                    console.flush();
                    Trainer trainer = new Trainer(settings, training, backend, progress);
                    Thread onInterrupt = interruptHint(store);
                    Trainer.Result result;
                    try {
                        result = classifier
                                ? trainer.trainClassifier((TrainableClassifier) trainable, noise, clean, Optional.of(store), resume)
                                : trainer.trainDenoiser((TrainableDenoiser) trainable, objective, Optional.of(store), resume);
                    } finally {
                        removeQuietly(onInterrupt);
                    }
                    Path png = out.resolve("loss.png");
                    LossCurve.save(png, result.losses());
                    console.println("wrote " + result.checkpoint().map(c -> c.dir().toString()).orElse(out.toString()) + " and " + png);
                } catch (RuntimeException | Error e) {
                    forgetUntrained(store, created, hadCard);
                    throw e;
                }
            }
        }
        console.flush();
    }

    /**
     * Reflow: the teacher's couplings, then a fresh network of the teacher's kind trained on them
     * with the flow-matching objective. Data, schedule and network options come from the teacher.
     */
    private void reflow(PrintWriter console) {
        for (Object[] o : new Object[][] {{"dataset", dataset}, {"data", file}, {"schedule", schedule}, {"predict", predict}, {"arch", architecture}}) {
            if (o[1] != null) {
                throw new InvalidParameterException(String.valueOf(o[0]), o[1], "is fixed by the model of --reflow-from; leave it out");
            }
        }
        if (!hyperparameters.isEmpty() || conditional || !"denoiser".equals(model)) {
            throw new InvalidParameterException("reflow-from", reflowFrom.toString(), "trains a denoiser of its model's network and "
                    + "conditioning; leave out --hp, --conditional and --model");
        }
        Checks.atLeast("reflow-pairs", reflowPairs, 1);
        Checks.atLeast("reflow-steps", reflowSteps, 1);
        ModelCard teacherCard = new CheckpointStore(reflowFrom).card();
        if (!teacherCard.flowMatching()) {
            throw new InvalidParameterException("reflow-from", reflowFrom.toString(), "holds a model trained with the "
                    + teacherCard.objective().getOrDefault("type", "denoising") + " objective on '" + teacherCard.schedule().type()
                    + "'; reflow needs a flow-matching model (train --objective flow)");
        }
        int classes = teacherCard.spec().numClasses();
        boolean nullClass = classes > 0 && !DiffusersUNetConfig.ARCHITECTURE.equals(teacherCard.spec().architecture());
        if (classes == 0 && (reflowScale != null || conditionDropout != null)) {
            throw new InvalidParameterException(reflowScale != null ? "reflow-scale" : "cond-dropout", reflowScale != null ? reflowScale
                    : conditionDropout, "applies to a class-conditional --reflow-from model; " + reflowFrom + " is unconditional");
        }
        double scale = reflowScale == null ? 1 : reflowScale;
        if (!(scale >= 0) || Double.isInfinite(scale) || (!nullClass && scale != 1)) {
            throw new InvalidParameterException("reflow-scale", scale, nullClass ? "must be a finite guidance scale >= 0"
                    : "must be 1: " + reflowFrom + " has no null class to guide with");
        }
        double dropout = nullClass ? (conditionDropout == null ? 0.1 : conditionDropout) : 0;
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidParameterException("cond-dropout", dropout, "must be in [0, 1)");
        }
        if (!nullClass && conditionDropout != null && conditionDropout > 0) {
            throw new InvalidParameterException("cond-dropout", conditionDropout, "must be 0: the network of " + reflowFrom
                    + " has no null class");
        }
        TrainingSettings settings = new TrainingSettings(steps, batch, learningRate, Math.min(warmup, steps), cosineDecay, seed,
                checkpointEvery, keep);
        OptimizerSettings optimizer = OptimizerSettings.defaults().withSeed(seed).withEmaDecay(ema).withWeightDecay(weightDecay)
                .withGradientClipNorm(gradClip);
        // the teacher (with its schedule) and the sampler of the couplings, on the backend that trains
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(backendName, devices.parameters().asMap()))
                .withSampler(Reflow.sampler(reflowSteps));
        if (classes > 0 && scale != 1) {
            // the couplings carry the guidance: the teacher is sampled with classifier-free guidance at the scale
            config = config.withGuidance(new ComponentConfig("cfg", Map.of("scale", scale)));
        }
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(ModelSource.checkpoint("reflow-from", reflowFrom)))) {
            TensorBackend backend = pipeline.backend();
            if (!(backend instanceof NetworkBackend networks)) {
                throw new InvalidParameterException("backend", backendName, "cannot train networks; use djl or tf");
            }
            org.ddpm4j.api.path.FlowSchedule flow = (org.ddpm4j.api.path.FlowSchedule) pipeline.schedule();
            NetworkSpec network = teacherCard.spec();
            long t0 = System.nanoTime();
            String guided = classes == 0 ? "" : scale == 1 ? ", conditional on the class" : String.format(Locale.ROOT,
                    ", guided (cfg, w = %s)", scale);
            ProgressReporter progress = new ProgressReporter("couplings", "pairs", reflowPairs, console, progressSeconds);
            TrainingData pairs = Reflow.couplings(pipeline.model(), pipeline.requireSampler(), network.sampleShape(),
                    reflowPairs, classes, seed + 1_000_003, backend, done -> progress.update(done, ""));
            console.printf(Locale.ROOT, "reflow: %,d couplings of %s by flow-heun with %d steps%s (%.1f s)%n", reflowPairs, reflowFrom,
                    reflowSteps, guided, (System.nanoTime() - t0) / 1e9);
            Objective objective = new Objective(flow, network.parameterization(),
                    minSnr == null ? LossWeighting.UNIFORM : LossWeighting.minSnr(minSnr), dropout, timeDistribution());
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("reflow_from", reflowFrom.toAbsolutePath().toString());
            facts.put("couplings", reflowPairs);
            facts.put("coupling_sampler", "flow-heun");
            facts.put("coupling_steps", reflowSteps);
            if (classes > 0) {
                facts.put("coupling_guidance", Map.of("type", "cfg", "scale", scale));
                facts.put("condition_dropout", dropout);
            }
            facts.put("teacher_data", teacherCard.data());
            facts.put("warm_start", reflowWarmStart);
            CheckpointStore store = new CheckpointStore(out);
            store.writeCard(ModelCard.of("denoiser", network, flow, backend.name(), facts).withObjective(objective.describe()));
            try (TrainableDenoiser trainable = networks.newDenoiser(network, optimizer)) {
                if (reflowWarmStart) {
                    trainable.importState(teacherWeights(new CheckpointStore(reflowFrom)));
                }
                console.printf(Locale.ROOT, "training a %s denoiser (%,d parameters) on the couplings%s, %s on %s %s%n", network.architecture(),
                        trainable.parameterCount(), reflowWarmStart ? " from the weights of " + reflowFrom : "", flow.name(), backend.name(),
                        backend.device());
                console.flush();
                Trainer.Result result = new Trainer(settings, pairs, backend, new TrainingProgress(console, progressSeconds))
                        .trainCoupled(trainable, objective, Optional.of(store), resume);
                Path png = out.resolve("loss.png");
                LossCurve.save(png, result.losses());
                console.println("wrote " + result.checkpoint().map(c -> c.dir().toString()).orElse(out.toString()) + " and " + png);
            }
        }
        console.flush();
    }

    /** The sampling weights of a model directory's latest checkpoint (its EMA when it has one) as the weights of a fresh network. */
    private static Map<String, org.ddpm4j.api.tensor.HostArray> teacherWeights(CheckpointStore store) {
        Map<String, org.ddpm4j.api.tensor.HostArray> state = store.latest().orElseThrow(() -> new InvalidParameterException("reflow-from",
                store.dir().toString(), "holds no checkpoint")).state();
        String prefix = state.keySet().stream().anyMatch(k -> k.startsWith("ema/")) ? "ema/" : "weights/";
        Map<String, org.ddpm4j.api.tensor.HostArray> weights = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                weights.put("weights/" + k.substring(prefix.length()), v);
            }
        });
        return weights;
    }

    /**
     * After a run that failed before its first checkpoint, removes what it left: the directories it
     * created, else the model card if it wrote one. A run that never trained leaves nothing behind.
     */
    private static void forgetUntrained(CheckpointStore store, Path created, boolean hadCard) {
        try {
            if (Files.exists(store.dir().resolve("checkpoints").resolve("latest"))) {
                return;
            }
            if (created != null) {
                AtomicFiles.deleteTree(created);
            } else if (!hadCard) {
                Files.deleteIfExists(store.dir().resolve(ModelCard.FILE));
            }
        } catch (java.io.IOException e) {
            // best effort: the error that ended the run is the one to report
        }
    }

    /** The outermost of {@code dir} and its ancestors that does not exist yet, or null when {@code dir} exists. */
    private static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing = p;
        }
        return missing;
    }

    /** A shutdown hook (Ctrl-C, SIGTERM) that prints where the last checkpoint is and the --resume command. */
    private Thread interruptHint(CheckpointStore store) {
        PrintWriter err = spec.commandLine().getErr();
        List<String> args = new java.util.ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (args.isEmpty() || !args.get(0).equals(spec.name())) {
            args.add(0, spec.name());
        }
        Thread hook = new Thread(() -> {
            err.println();
            // the training thread runs on during shutdown: closing the store keeps the reported checkpoint the last one
            err.println(InterruptedTraining.message(store.closeForShutdown().map(CheckpointStore.Checkpoint::dir), args));
            err.flush();
        }, "ddpm-train-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: the message is printed
        }
    }

    private TrainingData data() {
        if (npy()) {
            if (dataset != null) {
                throw new InvalidParameterException("dataset", dataset, "goes with --data DIR (a folder of IDX files), not with --data "
                        + file);
            }
            return Datasets.fromNpy(file, labels);
        }
        if (labels != null) {
            throw new InvalidParameterException("labels", labels.toString(), "goes with --data FILE.npy");
        }
        return Datasets.training(datasetName(), file, samples, seed);
    }

    /** True when --data names a NumPy file (rather than the folder of a built-in dataset). */
    private boolean npy() {
        return file != null && !java.nio.file.Files.isDirectory(file);
    }

    private boolean builtIn() {
        return !npy();
    }

    private String datasetName() {
        return dataset != null ? dataset : file != null ? Datasets.FASHION_MNIST : "moons";
    }

    private Map<String, Object> dataFacts(TrainingData training) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(DataFingerprint.KEY, DataFingerprint.of(training)); // a resumed run must see the same data
        if (clean) {
            facts.put("clean", true); // a classifier of data without noise: evaluation, not guidance
        }
        if (npy()) {
            facts.put("file", file.toString());
            if (labels != null) {
                facts.put("labels", labels.toString());
            }
        } else {
            String name = datasetName();
            facts.put("dataset", name);
            if (Datasets.isFileBacked(name)) {
                facts.put("directory", Datasets.directory(name, file).toAbsolutePath().toString());
                facts.put("samples", training.size());
            } else {
                facts.put("samples", training.size());
                facts.put("seed", seed);
            }
        }
        return facts;
    }

    private NetworkSpec network(TrainingData training, Schedule noise, boolean classifier) {
        int[] shape = training.sampleShape();
        String arch = classifier ? "classifier" : architecture != null ? architecture : shape.length == 1 ? "mlp" : "unet";
        if (classifier && architecture != null) {
            throw new InvalidParameterException("arch", architecture, "applies to denoisers; a classifier follows the data's shape");
        }
        Map<String, Object> hp = KeyValues.parse(hyperparameters);
        if (noise instanceof ContinuousSchedule && !hp.containsKey("time_scale")) {
            hp.put("time_scale", 1000.0); // docs/NETWORKS.md: t in [0, 1] is embedded as 1000 t
        }
        int classes = classifier || conditional ? training.numClasses() : 0;
        if (DiffusersUNetConfig.ARCHITECTURE.equals(arch)) {   // the data fixes UNet2DModel's channels (3 by default) and classes
            hp.putIfAbsent("in_channels", shape[0]);
            hp.putIfAbsent("out_channels", shape[0]);
            if (classes > 0) {
                hp.putIfAbsent("num_class_embeds", classes);
            }
        }
        String target = predict != null ? predict : noise instanceof org.ddpm4j.api.path.FlowSchedule ? "flow" : "epsilon";
        Objective.Loss loss = Objective.Loss.parse("loss", lossName);
        if (loss != Objective.Loss.SIMPLE && classifier) {
            throw new InvalidParameterException("loss", lossName, "applies to denoisers");
        }
        if (loss != Objective.Loss.SIMPLE && DiffusersUNetConfig.ARCHITECTURE.equals(arch)) {
            hp.put("out_channels", 2 * shape[0]);   // UNet2DModel with a learned variance: the prediction, then v
        }
        return new NetworkSpec(arch, shape, classes, Parameterization.parse("predict", target), Parameters.of(hp),
                loss == Objective.Loss.SIMPLE ? VarianceOutput.NONE : VarianceOutput.LEARNED_RANGE);
    }

    private Objective objective(Schedule noise, NetworkSpec network) {
        LossWeighting weighting = minSnr == null ? LossWeighting.UNIFORM : LossWeighting.minSnr(minSnr);
        boolean diffusers = DiffusersUNetConfig.ARCHITECTURE.equals(network.architecture());
        if (diffusers && conditional && conditionDropout != null && conditionDropout > 0) {
            throw new InvalidParameterException("cond-dropout", conditionDropout,
                    "must be 0 with --arch diffusers-unet: UNet2DModel has no null class (no classifier-free guidance)");
        }
        double dropout = !conditional || diffusers ? 0 : conditionDropout != null ? conditionDropout : 0.1;
        return new Objective(noise, network.parameterization(), weighting, dropout, timeDistribution())
                .withLoss(Objective.Loss.parse("loss", lossName), vlbWeight);
    }

    /** {@code uniform}, {@code logit-normal:M,S} or {@code mode:SCALE}. */
    private TimeDistribution timeDistribution() {
        if (timeDistribution == null) {
            return TimeDistribution.UNIFORM;
        }
        String[] parts = timeDistribution.split(":", 2);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", parts[0]);
        try {
            if (parts[0].equals("logit-normal") && parts.length == 2) {
                String[] ms = parts[1].split(",");
                if (ms.length != 2) {
                    throw new NumberFormatException();
                }
                p.put("m", Double.parseDouble(ms[0]));
                p.put("s", Double.parseDouble(ms[1]));
            } else if (parts[0].equals("mode") && parts.length == 2) {
                p.put("scale", Double.parseDouble(parts[1]));
            } else if (parts.length == 2) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new InvalidParameterException("time-distribution", timeDistribution, "must be uniform, logit-normal:M,S or mode:SCALE");
        }
        return TimeDistribution.read(Parameters.of(p).scoped("time-distribution"));
    }
}
