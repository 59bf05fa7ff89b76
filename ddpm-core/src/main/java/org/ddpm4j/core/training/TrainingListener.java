package org.ddpm4j.core.training;

import java.nio.file.Path;

/** Hears about the progress of a training run. */
public interface TrainingListener {

    /** Does nothing. */
    TrainingListener NONE = new TrainingListener() {
    };

    /** After step {@code done} of {@code total} (1-based count), with that step's loss. */
    default void onStep(int done, int total, double loss, double learningRate) {
    }

    /** After a checkpoint was written. */
    default void onCheckpoint(int step, Path dir) {
    }
}
