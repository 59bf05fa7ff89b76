package org.ddpm4j.schedules;

import org.ddpm4j.api.Parameters;

/**
 * Betas following a logistic curve: {@code beta = sigmoid(x) (beta_end - beta_start) + beta_start}
 * for {@code x} evenly spaced over {@code [-6, 6]} (GeoDiff; diffusers' {@code sigmoid}).
 */
public final class SigmoidSchedule {
    public static final String NAME = "sigmoid";

    private SigmoidSchedule() {
    }

    public static TabulatedSchedule create(Parameters p) {
        int steps = TabulatedSchedule.trainSteps(p);
        BetaRange range = BetaRange.read(p, 1e-4, 0.02);
        double[] betas = TabulatedSchedule.linspace(-6, 6, steps);
        for (int t = 0; t < steps; t++) {
            betas[t] = 1 / (1 + Math.exp(-betas[t])) * (range.end() - range.start()) + range.start();
        }
        return TabulatedSchedule.of(NAME, p, betas, range.asMap());
    }
}
