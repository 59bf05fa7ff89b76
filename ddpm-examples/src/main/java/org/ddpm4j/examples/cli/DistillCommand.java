package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
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
 * {@code ddpm distill}: progressive distillation of a trained unconditional denoiser
 * ({@link ProgressiveDistillation}), one model directory per round under {@code --out}.
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Progressive distillation (Salimans & Ho 2022): a v-prediction student learns two DDIM steps of its teacher in one, "
                + "round after round (--from N -> N/2 -> ... -> --to M); each round is a model directory OUT/steps-K.",
        footer = {"", "Example:", "  ddpm distill --teacher runs/moons --data moons.npy --from 8 --to 2 --steps 2000 --out runs/moons-distilled"})
final class DistillCommand implements Runnable {

    @Option(names = "--teacher", required = true, paramLabel = "DIR", description = "The teacher's model directory (ddpm train).")
    Path teacher;

    @Option(names = "--data", required = true, paramLabel = "FILE.npy", description = "Training samples [n, ...] (those the teacher learned).")
    Path data;

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
        if (card.spec().numClasses() > 0) {
            throw new InvalidParameterException("--teacher", teacher.toString(), "is class-conditional; distillation of conditional models is not supported yet");
        }
        TrainingData training = Datasets.fromNpy(data, null);
        // the teacher, with its schedule, on the backend it was trained with
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(card.backend(), devices.parameters(card.backend()).asMap()));
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(source))) {
            TensorBackend backend = pipeline.backend();
            Models.LoadedDenoiser loaded = (Models.LoadedDenoiser) pipeline.loadedModel().orElseThrow().resources();
            if (!(loaded.schedule() instanceof DiscreteSchedule schedule)) {
                throw new InvalidParameterException("--teacher", teacher.toString(), "needs a discrete schedule; has " + loaded.schedule().name());
            }
            NetworkSpec teacherSpec = card.spec();
            NetworkSpec student = new NetworkSpec(teacherSpec.architecture(), teacherSpec.sampleShape(), 0, Parameterization.V,
                    Parameters.of(teacherSpec.hyperparameters().asMap()));
            ModelCard studentCard = new ModelCard("denoiser", student, card.classNames(), card.schedule(), backend.name(), card.data(), card.objective());
            OptimizerSettings optimizer = OptimizerSettings.defaults().withSeed(seed).withEmaDecay(ema);
            TrainingSettings settings = new TrainingSettings(steps, batch, learningRate, Math.min(100, steps), false, seed, 0, 1);
            NetworkBackend networks = (NetworkBackend) backend;
            console.printf(Locale.ROOT, "distilling %s from %d to %d DDIM steps, %d optimizer steps per round, into %s%n", teacher, from, to, steps, out);
            console.flush();
            try (TrainableDenoiser last = new ProgressiveDistillation(schedule).distill(loaded.ema(), () -> networks.newDenoiser(student, optimizer),
                    Optional.of(loaded.network().exportState()), from, to,
                    () -> new Trainer(settings, training, backend, new TrainingProgress(console, 2)), steps, studentCard, out, resume)) {
                console.printf(Locale.ROOT, "wrote %s (sample it with --sampler ddim --steps %d --param timestep_spacing=trailing "
                        + "--param set_alpha_to_one=true --param clip_sample=false)%n", out.resolve("steps-" + to), to);
            }
        }
        console.flush();
    }
}
