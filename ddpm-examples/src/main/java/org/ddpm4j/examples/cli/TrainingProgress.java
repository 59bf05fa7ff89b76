package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import org.ddpm4j.api.Checks;
import java.nio.file.Path;
import java.util.Locale;
import org.ddpm4j.core.progress.ProgressReporter;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.examples.metrics.RunningAverage;
import org.ddpm4j.examples.plot.LossCurve;

/** A training run's progress: one line (steps, rate, time left, smoothed loss, learning rate) every interval, a line per checkpoint. */
final class TrainingProgress implements TrainingListener {
    private final PrintWriter console;
    private final double intervalSeconds;
    private final boolean checkpoints;
    private final RunningAverage loss = new RunningAverage(LossCurve.SMOOTHING);
    private ProgressReporter reporter;

    TrainingProgress(PrintWriter console, double intervalSeconds) {
        this(console, intervalSeconds, true);
    }

    /** As {@link #TrainingProgress(PrintWriter, double)}, with the checkpoint lines only when {@code checkpoints}. */
    TrainingProgress(PrintWriter console, double intervalSeconds, boolean checkpoints) {
        this.console = console;
        this.intervalSeconds = Checks.nonNegative("--progress-seconds", intervalSeconds);
        this.checkpoints = checkpoints;
    }

    @Override
    public void onStep(int done, int total, double value, double lr) {
        if (reporter == null) {
            reporter = new ProgressReporter("train", "steps", total, console, intervalSeconds);
        }
        reporter.update(done, String.format(Locale.ROOT, "loss %.4f  lr %.2e", loss.add(value), lr));
    }

    @Override
    public void onCheckpoint(int step, Path dir) {
        if (!checkpoints) {
            return;
        }
        console.println("checkpoint " + dir);
        console.flush();
    }
}
