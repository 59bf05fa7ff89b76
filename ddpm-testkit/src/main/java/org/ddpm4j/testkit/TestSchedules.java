package org.ddpm4j.testkit;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;

/** A minimal linear schedule (DDPM betas 1e-4 to 0.02) for the tests of modules that cannot depend on ddpm-schedules (core, backends). */
public final class TestSchedules {
    private TestSchedules() {
    }

    public static DiscreteSchedule linear(int steps) {
        double[] alphaBar = new double[steps];
        double[] betas = new double[steps];
        double product = 1;
        for (int t = 0; t < steps; t++) {
            betas[t] = 1e-4 + (0.02 - 1e-4) * t / (steps - 1);
            product *= 1 - betas[t];
            alphaBar[t] = product;
        }
        return new DiscreteSchedule() {
            @Override
            public String name() {
                return "test-linear";
            }

            @Override
            public Parameters parameters() {
                return Parameters.empty();
            }

            @Override
            public int trainSteps() {
                return steps;
            }

            @Override
            public double beta(int t) {
                return betas[t];
            }

            @Override
            public double alphaBar(int t) {
                return alphaBar[t];
            }
        };
    }
}
