package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.core.training.ProgressiveDistillation;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingData;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.examples.data.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm distill}: progressive distillation of a trained denoiser ({@link ProgressiveDistillation}),
 * one model directory per round under {@code --out}. A class-conditional teacher is distilled as it
 * is sampled: guided by classifier-free guidance at {@code --scale w} (Meng et al. 2023, at one fixed
 * w), so the student holds the guided teacher and is sampled per class without guidance, at one
 * network evaluation per step instead of the guided teacher's two.
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Progressive distillation (Salimans & Ho 2022): a v-prediction student learns two DDIM steps of its teacher in one, "
                + "round after round (--from N -> N/2 -> ... -> --to M); each round is a model directory OUT/steps-K.",
        footer = {"", "Examples:", "  ddpm distill --teacher runs/moons --dataset moons --from 16 --to 1 --steps 2000 --out runs/moons-distilled",
                "  ddpm distill --teacher runs/moons --data moons.npy --from 8 --to 2 --steps 2000 --out runs/moons-distilled",
                "  ddpm distill --teacher runs/fashion --dataset fashion-mnist --scale 3 --thresholding --from 16 --to 1 --steps 200 "
                        + "--batch 32 --out runs/fashion-distilled"})
final class DistillCommand implements Runnable {

    @Option(names = "--teacher", required = true, paramLabel = "DIR", description = "The teacher's model directory (ddpm train).")
    Path teacher;

    @Option(names = "--data", paramLabel = "FILE.npy|DIR", description = "Training samples [n, ...] (those the teacher learned; "
            + "with --labels for a class-conditional teacher), or the folder of Fashion-MNIST's IDX files.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE.npy", description = "Integer class labels [n] for --data FILE.npy.")
    Path labels;

    @Option(names = "--dataset", description = "Built-in dataset: ${COMPLETION-CANDIDATES} (default: the teacher's, from its model card).",
            completionCandidates = DatasetNames.class)
    String dataset;

    @Option(names = "--scale", paramLabel = "W", description = "Class-conditional teacher: the classifier-free guidance scale it is "
            + "distilled at (1: the conditional model, no guidance; default ${DEFAULT-VALUE}).", defaultValue = "1")
    double scale;

    @Option(names = "--thresholding", description = "Class-conditional teacher: dynamic thresholding of the guided teacher's x_0.")
    boolean thresholding;

    @Option(names = "--from", defaultValue = "8", description = "The teacher's DDIM steps (default ${DEFAULT-VALUE}).")
    int from;

    @Option(names = "--to", defaultValue = "1", description = "The last student's steps (default ${DEFAULT-VALUE}).")
    int to;

    @Option(names = "--steps", defaultValue = "2000", description = "Optimizer steps per round (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of everything random (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ema", defaultValue = "0.999", description = "EMA decay of the student's weights (default ${DEFAULT-VALUE}).")
    double ema;

    @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "N", description = "Checkpoint each round every N steps "
            + "(for --resume; default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory of the rounds' model directories.")
    Path out;

    @Option(names = "--resume", description = "Continue an unfinished round from its newest checkpoint (finished rounds are always loaded).")
    boolean resume;

    @Mixin
    DeviceOptions devices;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter console = spec.commandLine().getOut();
        ModelSource source = ModelSource.checkpoint("--teacher", teacher);
        ModelCard card = source.card();
        boolean conditional = card.spec().numClasses() > 0;
        if (!(scale >= 0)) {
            throw new InvalidParameterException("--scale", scale, "must be a guidance scale >= 0");
        }
        if (!conditional && (scale != 1 || thresholding)) {
            throw new InvalidParameterException("--scale", scale, "--scale and --thresholding guide a class-conditional teacher; " + teacher
                    + " is unconditional");
        }
        TrainingData training = trainingData(card, conditional);
        // the teacher, with its schedule, on the backend it was trained with
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(card.backend(), devices.parameters(card.backend()).asMap()));
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(source))) {
            TensorBackend backend = pipeline.backend();
            Models.LoadedDenoiser loaded = (Models.LoadedDenoiser) pipeline.loadedModel().orElseThrow().resources();
            if (!(loaded.schedule() instanceof DiscreteSchedule schedule)) {
                throw new InvalidParameterException("--teacher", teacher.toString(), "needs a discrete schedule; has " + loaded.schedule().name());
            }
            NetworkSpec teacherSpec = card.spec();
            NetworkSpec student = new NetworkSpec(teacherSpec.architecture(), teacherSpec.sampleShape(), teacherSpec.numClasses(), Parameterization.V,
                    Parameters.of(teacherSpec.hyperparameters().asMap()));
            Map<String, Object> facts = new LinkedHashMap<>(card.data());
            Denoiser guided = loaded.ema();
            if (conditional) {
                Map<String, Object> guidance = new LinkedHashMap<>();
                guidance.put("guidance", scale == 1 && !thresholding ? "none" : "cfg");
                guidance.put("scale", scale);
                guidance.put("thresholding", thresholding);
                facts.put(ProgressiveDistillation.DISTILLED_GUIDANCE, guidance);
                if (scale != 1 || thresholding) {
                    guided = pipeline.guidance(new ComponentConfig("cfg", Map.of("scale", scale, "thresholding", thresholding)))
                            .guide(loaded.ema(), GuidanceContext.of(schedule));
                }
            }
            ModelCard studentCard = new ModelCard("denoiser", student, card.classNames(), card.schedule(), backend.name(), facts, card.objective());
            OptimizerSettings optimizer = OptimizerSettings.defaults().withSeed(seed).withEmaDecay(ema);
            TrainingSettings settings = new TrainingSettings(steps, batch, learningRate, Math.min(100, steps), false, seed, checkpointEvery, 1);
            NetworkBackend networks = (NetworkBackend) backend;
            console.printf(Locale.ROOT, "distilling %s%s from %d to %d DDIM steps, %d optimizer steps of %d per round, into %s%n", teacher,
                    conditional ? String.format(Locale.ROOT, " (class-conditional, guided with w = %s%s)", scale, thresholding ? ", thresholded" : "") : "",
                    from, to, steps, batch, out);
            console.flush();
            try (TrainableDenoiser last = new ProgressiveDistillation(schedule).distill(guided, () -> networks.newDenoiser(student, optimizer),
                    Optional.of(loaded.network().exportState()), from, to,
                    () -> new Trainer(settings, training, backend, new TrainingProgress(console, 2)), steps, studentCard, out, resume)) {
                console.printf(Locale.ROOT, "wrote %s (sample it with %s%s)%n", out.resolve("steps-" + to), DistilledStudents.plan(to),
                        conditional ? " --class all, without --guidance" : "");
            }
        }
        console.flush();
    }

    /** The teacher's data: --data FILE.npy (and --labels), or a built-in dataset (--dataset, else the one the model card names). */
    private TrainingData trainingData(ModelCard card, boolean conditional) {
        boolean file = data != null && !java.nio.file.Files.isDirectory(data);
        TrainingData training;
        if (file) {
            if (dataset != null) {
                throw new InvalidParameterException("--dataset", dataset, "goes with --data DIR (a folder of IDX files), not with --data FILE.npy");
            }
            training = Datasets.fromNpy(data, labels);
        } else {
            if (labels != null) {
                throw new InvalidParameterException("--labels", labels.toString(), "goes with --data FILE.npy");
            }
            String name = dataset != null ? dataset : card.data().get("dataset") instanceof String s ? s : null;
            if (name == null) {
                throw new InvalidParameterException("--dataset", "missing", "the teacher's model card names no dataset; give --dataset or --data FILE.npy");
            }
            // the teacher's samples: as many as its model card counts, from its folder (a file-backed dataset) or its seed (a generated one)
            boolean same = name.equals(card.data().get("dataset"));
            Integer points = same && card.data().get("samples") instanceof Number n ? n.intValue() : null;
            long dataSeed = same && card.data().get("seed") instanceof Number n ? n.longValue() : seed;
            Path folder = data != null ? data : same && Datasets.isFileBacked(name) && card.data().get("directory") instanceof String d ? Path.of(d) : null;
            training = Datasets.training(name, folder, points, dataSeed);
        }
        if (conditional && training.numClasses() != card.spec().numClasses()) {
            throw new InvalidParameterException("--data", data == null ? String.valueOf(dataset) : data.toString(), "must be labelled with the teacher's "
                    + card.spec().numClasses() + " classes (has " + training.numClasses() + ")");
        }
        return conditional ? training : Datasets.unlabeled(training);
    }
}
