package org.ddpm4j.core.training;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;

/**
 * How long and how fast to train.
 *
 * @param steps            optimizer steps in total
 * @param batchSize        samples per step (drawn uniformly with replacement)
 * @param learningRate     peak learning rate
 * @param warmupSteps      linear warm-up from 0 to the peak over this many steps
 * @param cosineDecay      after warm-up, decay to 0 along a half cosine (else constant)
 * @param seed             the seed of everything random: batches, t, noise, condition dropout, dropout
 * @param checkpointEvery  write a checkpoint every this many steps (and at the end); 0: only at the end
 * @param keepCheckpoints  how many of the newest checkpoints to keep
 */
public record TrainingSettings(int steps, int batchSize, double learningRate, int warmupSteps, boolean cosineDecay,
                               long seed, int checkpointEvery, int keepCheckpoints) {

    public TrainingSettings {
        Checks.atLeast("steps", steps, 1);
        Checks.atLeast("batch_size", batchSize, 1);
        Checks.positive("learning_rate", learningRate);
        Checks.atLeast("warmup_steps", warmupSteps, 0);
        Checks.atLeast("checkpoint_every", checkpointEvery, 0);
        Checks.atLeast("keep_checkpoints", keepCheckpoints, 1);
        if (warmupSteps > steps) {
            throw new InvalidParameterException("warmup_steps", warmupSteps, "must not exceed steps = " + steps);
        }
    }

    /** 1000 steps of 256 at 1e-3, 100 warm-up steps, constant rate, seed 0, a checkpoint at the end. */
    public static TrainingSettings defaults() {
        return new TrainingSettings(1000, 256, 1e-3, 100, false, 0L, 0, 2);
    }

    public TrainingSettings withSteps(int steps) {
        return new TrainingSettings(steps, batchSize, learningRate, Math.min(warmupSteps, steps), cosineDecay, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainingSettings withBatchSize(int batchSize) {
        return new TrainingSettings(steps, batchSize, learningRate, warmupSteps, cosineDecay, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainingSettings withLearningRate(double learningRate) {
        return new TrainingSettings(steps, batchSize, learningRate, warmupSteps, cosineDecay, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainingSettings withWarmupSteps(int warmupSteps) {
        return new TrainingSettings(steps, batchSize, learningRate, warmupSteps, cosineDecay, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainingSettings withCosineDecay(boolean cosineDecay) {
        return new TrainingSettings(steps, batchSize, learningRate, warmupSteps, cosineDecay, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainingSettings withSeed(long seed) {
        return new TrainingSettings(steps, batchSize, learningRate, warmupSteps, cosineDecay, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainingSettings withCheckpointEvery(int checkpointEvery) {
        return new TrainingSettings(steps, batchSize, learningRate, warmupSteps, cosineDecay, seed, checkpointEvery, keepCheckpoints);
    }

    /** The learning rate of step {@code step} (0-based): warm-up, then constant or cosine decay. */
    public double learningRateAt(int step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        if (!cosineDecay || steps == warmupSteps) {
            return learningRate;
        }
        double progress = (double) (step - warmupSteps) / (steps - warmupSteps);
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
