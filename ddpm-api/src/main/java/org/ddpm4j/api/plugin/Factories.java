package org.ddpm4j.api.plugin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/**
 * The factories the kinds' {@code of(...)} methods make: records whose components are what
 * {@link Factory} asks for (name, description, examples, diffusers names), so none repeats them.
 */
final class Factories {
    private Factories() {
    }

    record OfSchedule(String name, String description, Function<Parameters, Schedule> function, List<Map<String, Object>> examples,
                      Optional<String> diffusersBetaSchedule) implements ScheduleFactory {
        OfSchedule {
            examples = List.copyOf(examples);
        }

        @Override
        public Schedule create(Parameters parameters) {
            return function.apply(parameters);
        }
    }

    record OfSampler(String name, String description, BiFunction<Schedule, Parameters, Sampler> function, List<Map<String, Object>> examples,
                     List<String> diffusersClassNames) implements SamplerFactory {
        OfSampler {
            examples = List.copyOf(examples);
            diffusersClassNames = List.copyOf(diffusersClassNames);
        }

        @Override
        public Sampler create(Schedule schedule, Parameters parameters) {
            return function.apply(schedule, parameters);
        }
    }

    record OfGuidance(String name, String description, Function<Parameters, Guidance> function) implements GuidanceFactory {
        @Override
        public Guidance create(Parameters parameters) {
            return function.apply(parameters);
        }
    }

    record OfBackend(String name, String description, Function<Parameters, TensorBackend> function, Runnable loader)
            implements BackendFactory {
        @Override
        public TensorBackend create(Parameters parameters) {
            return function.apply(parameters);
        }

        @Override
        public void preload() {
            loader.run();
        }
    }

    record OfDenoiser(String name, String description, OnBackend<Denoiser> function, List<Map<String, Object>> examples)
            implements DenoiserFactory {
        OfDenoiser {
            examples = List.copyOf(examples);
        }

        @Override
        public Denoiser create(TensorBackend backend, Schedule schedule, Parameters parameters) {
            return function.create(backend, schedule, parameters);
        }
    }

    record OfClassifier(String name, String description, OnBackend<Classifier> function, List<Map<String, Object>> examples)
            implements ClassifierFactory {
        OfClassifier {
            examples = List.copyOf(examples);
        }

        @Override
        public Classifier create(TensorBackend backend, Schedule schedule, Parameters parameters) {
            return function.create(backend, schedule, parameters);
        }
    }
}
