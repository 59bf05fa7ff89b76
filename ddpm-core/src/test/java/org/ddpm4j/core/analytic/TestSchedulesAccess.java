package org.ddpm4j.core.analytic;

import org.ddpm4j.api.schedule.DiscreteSchedule;

/** Lets tests in other packages use {@link TestSchedules}. */
public final class TestSchedulesAccess {
    private TestSchedulesAccess() {
    }

    public static DiscreteSchedule linear(int steps) {
        return TestSchedules.linear(steps);
    }
}
