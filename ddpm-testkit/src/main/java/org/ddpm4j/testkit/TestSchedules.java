package org.ddpm4j.testkit;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.path.GaussianPath;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.DiscreteSchedule;

/**
 * Minimal schedules for contracts and for the tests of modules that cannot depend on ddpm-schedules
 * (core, backends): Ho et al.'s linear betas and its continuum limit, the VP SDE of Song et al.
 */
public final class TestSchedules {
    private TestSchedules() {
    }

    /** Linear betas from 1e-4 to 0.02 over {@code steps} training steps. */
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

    /** The VP SDE with {@code beta(t) = 0.1 + 19.9 t} on {@code t in [0, 1]}. */
    public static ContinuousSchedule vp() {
        double betaMin = 0.1;
        double slope = 19.9;
        return new ContinuousSchedule() {
            @Override
            public String name() {
                return "test-vp";
            }

            @Override
            public Parameters parameters() {
                return Parameters.empty();
            }

            @Override
            public double beta(double t) {
                return betaMin + slope * t;
            }

            @Override
            public double alphaBar(double t) {
                return Math.exp(-(betaMin * t + 0.5 * slope * t * t));
            }

            @Override
            public double timeAtSigma(double sigma) {
                double target = Math.log1p(sigma * sigma);
                double t = (-betaMin + Math.sqrt(betaMin * betaMin + 2 * slope * target)) / slope;
                return Math.max(0, Math.min(1, t));
            }
        };
    }

    /**
     * The rectified-flow path {@code x_s = (1 - s) x_0 + s eps} as a schedule on model time
     * {@code t = 1000 s}, the schedule of flow-matching samplers and models.
     */
    public static FlowSchedule rectifiedFlow() {
        return new FlowSchedule() {
            @Override
            public String name() {
                return "test-rectified-flow";
            }

            @Override
            public Parameters parameters() {
                return Parameters.empty();
            }

            @Override
            public GaussianPath path() {
                return GaussianPath.linear();
            }

            @Override
            public double timeScale() {
                return 1000;
            }
        };
    }
}
