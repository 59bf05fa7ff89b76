package org.ddpm4j.schedules;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A T whose tables cannot fit is refused before allocating them, with the estimate and the limit. */
class ScheduleMemoryTest {

    @ParameterizedTest
    @ValueSource(strings = {"linear", "scaled-linear", "cosine", "sigmoid", "quadratic"})
    void aBillionTrainStepsIsRefusedBeforeAllocating(String name) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> PluginRegistry.load()
                .createSchedule(name, Parameters.of("num_train_timesteps", 1_000_000_000)));
        assertTrue(e.getMessage().startsWith("invalid schedule.num_train_timesteps = 1000000000: needs about 59.6 GiB of memory but "),
                e.getMessage());
    }
}
