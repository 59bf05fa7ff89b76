package org.ddpm4j.schedules;

import org.ddpm4j.api.Parameters;

/**
 * Ho et al. (2020): betas evenly spaced from {@code beta_start = 1e-4} to {@code beta_end = 0.02}
 * (diffusers' {@code linear}).
 */
public final class LinearSchedule {
    public static final String NAME = "linear";

    private LinearSchedule() {
    }

    public static TabulatedSchedule create(Parameters p) {
        int steps = TabulatedSchedule.trainSteps(p);
        BetaRange range = BetaRange.read(p, 1e-4, 0.02);
        return TabulatedSchedule.of(NAME, p, TabulatedSchedule.linspace(range.start(), range.end(), steps), range.asMap());
    }
}
