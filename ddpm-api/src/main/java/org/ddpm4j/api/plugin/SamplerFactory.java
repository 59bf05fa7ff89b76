package org.ddpm4j.api.plugin;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;

/**
 * Builds a {@link Sampler} for a schedule, validating its parameters against it (steps within the
 * schedule, a discrete or continuous schedule as the method requires).
 */
public interface SamplerFactory extends Factory {

    Sampler create(Schedule schedule, Parameters parameters);

    /**
     * The diffusers scheduler classes ({@code _class_name}, e.g. {@code DDIMScheduler}) this factory
     * can stand in for, reading their {@code scheduler_config.json} keys as its parameters.
     */
    default List<String> diffusersClassNames() {
        return List.of();
    }

    /** This factory with {@code examples} as its {@link #examples()}. */
    default SamplerFactory withExamples(List<Map<String, Object>> examples) {
        return new Factories.OfSampler(name(), description(), this::create, examples, diffusersClassNames());
    }

    static SamplerFactory of(String name, String description, BiFunction<Schedule, Parameters, Sampler> create) {
        return of(name, description, create, new String[0]);
    }

    /** A factory that also stands in for the diffusers scheduler classes {@code diffusersClassNames}. */
    static SamplerFactory of(String name, String description, BiFunction<Schedule, Parameters, Sampler> create,
                             String... diffusersClassNames) {
        return new Factories.OfSampler(name, description, create, List.of(Map.of()), List.of(diffusersClassNames));
    }
}
