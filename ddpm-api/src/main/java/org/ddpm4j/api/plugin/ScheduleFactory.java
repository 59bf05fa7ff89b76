package org.ddpm4j.api.plugin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;

/** Builds a {@link Schedule} from its parameters, validating them. */
public interface ScheduleFactory extends Factory {

    /**
     * Builds the schedule. Parameter names follow diffusers' {@code scheduler_config.json} where it has
     * one ({@code num_train_timesteps}, {@code beta_start}, {@code beta_end}, {@code trained_betas},
     * {@code rescale_betas_zero_snr}), so a diffusers configuration maps onto ours key for key.
     */
    Schedule create(Parameters parameters);

    /** The value of diffusers' {@code beta_schedule} that this factory implements, if any. */
    default Optional<String> diffusersBetaSchedule() {
        return Optional.empty();
    }

    static ScheduleFactory of(String name, String description, Function<Parameters, Schedule> create) {
        return new Factories.OfSchedule(name, description, create, List.of(Map.of()), Optional.empty());
    }

    /**
     * A factory that implements diffusers' {@code beta_schedule} {@code diffusersBetaSchedule} (null: none)
     * and declares {@code examples} (see {@link Factory#examples()}).
     */
    static ScheduleFactory of(String name, String description, Function<Parameters, Schedule> create, String diffusersBetaSchedule,
                              List<Map<String, Object>> examples) {
        return new Factories.OfSchedule(name, description, create, examples, Optional.ofNullable(diffusersBetaSchedule));
    }
}
