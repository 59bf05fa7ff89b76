package org.ddpm4j.schedules;

import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.path.GaussianPath;

/**
 * The rectified-flow path {@code x_s = (1 - s) x_0 + s eps} (Liu et al. 2022; Stable Diffusion 3,
 * diffusers' FlowMatch schedulers) as a schedule on model time {@code t = s * num_train_timesteps}.
 *
 * <p>Parameters: {@code num_train_timesteps} (1000).
 */
public final class RectifiedFlowSchedule implements FlowSchedule {
    public static final String NAME = "rectified-flow";

    private final int trainSteps;

    public RectifiedFlowSchedule(Parameters p) {
        this(Checks.atLeast(p.qualify("num_train_timesteps"), p.getInt("num_train_timesteps", 1000), 1));
    }

    public RectifiedFlowSchedule(int trainSteps) {
        this.trainSteps = trainSteps;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Parameters parameters() {
        return Parameters.of(Map.of("num_train_timesteps", trainSteps));
    }

    @Override
    public GaussianPath path() {
        return GaussianPath.linear();
    }

    @Override
    public double timeScale() {
        return trainSteps;
    }

    @Override
    public String toString() {
        return NAME + "(" + trainSteps + ")";
    }
}
