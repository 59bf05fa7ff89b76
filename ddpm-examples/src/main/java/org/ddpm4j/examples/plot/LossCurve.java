package org.ddpm4j.examples.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.examples.metrics.RunningAverage;

/** The loss of every training step and its running average, as a PNG. */
public final class LossCurve {
    /** The forgetting factor of the smoothed line (and of the loss in progress lines). */
    public static final double SMOOTHING = 0.98;

    private LossCurve() {
    }

    /** Writes the curve of {@code losses} (one per step) to {@code png}, atomically. */
    public static void save(Path png, double[] losses) {
        double[] steps = new double[losses.length];
        double[] smoothed = new double[losses.length];
        RunningAverage average = new RunningAverage(SMOOTHING);
        for (int i = 0; i < losses.length; i++) {
            steps[i] = i + 1;
            smoothed[i] = average.add(losses[i]);
        }
        Figure.save(png, 1, 800, 480, List.of(new Chart("training loss", "step", "loss")
                .line("loss", steps, losses, new Color(0, 114, 178, 70))
                .line("smoothed", steps, smoothed, Chart.PALETTE[1])));
    }
}
