package org.ddpm4j.schedules;

import org.ddpm4j.api.Parameters;

/**
 * {@code sqrt(beta)} evenly spaced from {@code sqrt(beta_start)} to {@code sqrt(beta_end)}: Ho et
 * al.'s "quad" schedule, diffusers' {@code scaled_linear} (Stable Diffusion uses 0.00085 to 0.012).
 */
public final class ScaledLinearSchedule {
    public static final String NAME = "scaled-linear";

    private ScaledLinearSchedule() {
    }

    public static TabulatedSchedule create(Parameters p) {
        int steps = TabulatedSchedule.trainSteps(p);
        BetaRange range = BetaRange.read(p, 1e-4, 0.02);
        double[] betas = TabulatedSchedule.linspace(Math.sqrt(range.start()), Math.sqrt(range.end()), steps);
        for (int t = 0; t < steps; t++) {
            betas[t] *= betas[t];
        }
        return TabulatedSchedule.of(NAME, p, betas, range.asMap());
    }
}
