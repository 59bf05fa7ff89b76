package org.ddpm4j.backend.tf;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;

/**
 * One training run of a small class-conditional MLP with dropout, condition dropout, min-SNR
 * weighting, warm-up and checkpoints, through core's {@link Trainer}. Also a program
 * ({@link #main}) so that a test can run it in a child JVM and kill it mid-run: the child prints
 * {@code checkpoint <step>} after each checkpoint and slows down a little per step, so that the
 * kill lands between checkpoints.
 */
final class TrainingRun {
    static final NetworkSpec SPEC = Fixtures.mlp(2, 0.1);
    static final DiscreteSchedule SCHEDULE = Fixtures.linear(100);
    static final TrainingSettings SETTINGS = TrainingSettings.defaults().withSteps(40).withBatchSize(32).withLearningRate(3e-3)
            .withWarmupSteps(5).withSeed(7).withCheckpointEvery(10);

    private TrainingRun() {
    }

    /** The losses of the run and the network's final state. */
    record Outcome(double[] losses, Map<String, HostArray> state) {
    }

    static Outcome train(TfBackend backend, Path dir, boolean resume, TrainingListener listener) {
        try (TrainableDenoiser net = backend.newDenoiser(SPEC, OptimizerSettings.defaults().withSeed(1).withEmaDecay(0.9))) {
            CheckpointStore store = new CheckpointStore(dir);
            store.writeCard(ModelCard.of("denoiser", SPEC, SCHEDULE, backend.name(), Map.of("dataset", "two clusters")));
            Objective objective = new Objective(SCHEDULE, Parameterization.EPSILON, LossWeighting.minSnr(5), 0.2);
            Trainer.Result r = new Trainer(SETTINGS, Fixtures.clusters(200), backend, listener)
                    .trainDenoiser(net, objective, Optional.of(store), resume);
            return new Outcome(r.losses(), net.exportState());
        }
    }

    /** {@code TrainingRun <dir>}: trains into {@code dir}, reporting checkpoints on stdout. */
    public static void main(String[] args) {
        try (TfBackend backend = new TfBackend()) {
            train(backend, Path.of(args[0]), false, new TrainingListener() {
                @Override
                public void onStep(int done, int total, double loss, double learningRate) {
                    sleep(40);
                }

                @Override
                public void onCheckpoint(int step, Path dir) {
                    System.out.println("checkpoint " + step);
                    System.out.flush();
                }
            });
        }
        System.out.println("finished");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
