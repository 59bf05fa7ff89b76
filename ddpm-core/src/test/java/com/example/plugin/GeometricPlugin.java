package com.example.plugin;

import java.util.List;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.ScheduleFactory;

/** A third-party plugin: one class, one line in META-INF/services. */
public final class GeometricPlugin implements Plugin {
    @Override
    public List<ScheduleFactory> schedules() {
        return List.of(ScheduleFactory.of("geometric", "constant beta: alphaBar_t = (1 - beta)^(t+1)", GeometricSchedule::new));
    }
}
