package com.example.plugin;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;

/**
 * A schedule written the way a third party would: against the API only. Constant
 * {@code beta}, so {@code alphaBar_t = (1 - beta)^(t + 1)}.
 */
public final class GeometricSchedule implements DiscreteSchedule {
    private final int steps;
    private final double beta;

    public GeometricSchedule(Parameters p) {
        this.steps = Checks.atLeast(p.qualify("num_train_timesteps"), p.getInt("num_train_timesteps", 1000), 1);
        this.beta = Checks.open(p.qualify("beta"), p.getDouble("beta", 0.005), 0, 1);
    }

    @Override
    public String name() {
        return "geometric";
    }

    @Override
    public Parameters parameters() {
        return Parameters.of("num_train_timesteps", steps, "beta", beta);
    }

    @Override
    public int trainSteps() {
        return steps;
    }

    @Override
    public double beta(int t) {
        return beta;
    }

    @Override
    public double alphaBar(int t) {
        return Math.pow(1 - beta, t + 1);
    }
}
