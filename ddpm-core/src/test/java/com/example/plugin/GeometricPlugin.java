package com.example.plugin;

import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.schedule.Schedule;

/** A third-party plugin: one class, one line in META-INF/services. */
public final class GeometricPlugin implements Plugin {
    @Override
    public List<ScheduleFactory> schedules() {
        return List.of(new ScheduleFactory() {
            @Override
            public String name() {
                return "geometric";
            }

            @Override
            public String description() {
                return "constant beta: alphaBar_t = (1 - beta)^(t+1)";
            }

            @Override
            public Schedule create(Parameters parameters) {
                return new GeometricSchedule(parameters);
            }

            @Override
            public List<Map<String, Object>> examples() {
                return List.of(Map.of("num_train_timesteps", 300, "beta", 0.01));
            }
        });
    }
}
