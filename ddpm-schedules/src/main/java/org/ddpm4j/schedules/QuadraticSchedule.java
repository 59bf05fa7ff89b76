package org.ddpm4j.schedules;

import org.ddpm4j.api.Parameters;

/**
 * Betas growing with the square of the time fraction:
 * {@code beta_t = beta_start + (beta_end - beta_start) (t / (T-1))^2}. Flat near {@code t = 0}, so it
 * keeps more steps at low noise than {@link LinearSchedule}. (Not Ho et al.'s "quad", which is
 * {@link ScaledLinearSchedule}.)
 */
public final class QuadraticSchedule {
    public static final String NAME = "quadratic";

    private QuadraticSchedule() {
    }

    public static TabulatedSchedule create(Parameters p) {
        int steps = TabulatedSchedule.trainSteps(p);
        BetaRange range = BetaRange.read(p, 1e-4, 0.02);
        double[] betas = new double[steps];
        for (int t = 0; t < steps; t++) {
            double f = steps == 1 ? 0 : (double) t / (steps - 1);
            betas[t] = range.start() + (range.end() - range.start()) * f * f;
        }
        return TabulatedSchedule.of(NAME, p, betas, range.asMap());
    }
}
