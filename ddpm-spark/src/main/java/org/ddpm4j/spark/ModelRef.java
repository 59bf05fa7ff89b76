package org.ddpm4j.spark;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.SamplerChoice;

/**
 * What every executor loads to sample: a model named as on the command line ({@code KIND:LOCATION},
 * see {@link ModelSource}; the location must be readable by every executor), the backend, the
 * sampler choice and the guidance. Serializable and compared by value: the key of the model each
 * executor keeps loaded ({@link ExecutorModels}).
 *
 * @param model              {@code gmm:FILE}, {@code points:FILE}, {@code checkpoint:DIR}, {@code torchscript:FILE.pt},
 *                           {@code savedmodel:DIR} or {@code pretrained:DIR}
 * @param backend            a backend plugin, or null for the model kind's default
 * @param backendParameters  its parameters ({@code threads}, {@code device}); djl and tf get 1 thread unless given, as in the CLI
 * @param sampler            the sampler and schedule
 * @param guidance           a guidance plugin ({@code cfg}, {@code classifier}) or null
 * @param guidanceParameters its parameters ({@code scale} among them)
 * @param guidanceClassifier the noisy classifier of classifier guidance ({@code checkpoint:DIR} or {@code gmm:FILE}), or null
 */
public record ModelRef(String model, String backend, Map<String, Object> backendParameters, SamplerChoice sampler, String guidance,
                       Map<String, Object> guidanceParameters, String guidanceClassifier) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Backends whose compute threads default to 1 (the CLI's default: the fastest on small networks and few cores). */
    private static final List<String> THREADED = List.of("djl", "tf");

    public ModelRef {
        if (model == null || model.isBlank()) {
            throw new InvalidParameterException("model", model, "must name a model as KIND:LOCATION, e.g. checkpoint:/data/runs/moons");
        }
        if (sampler == null) {
            throw new InvalidParameterException("sampler", null, "must be a sampler choice (SamplerChoice.defaults() for the default)");
        }
        if (guidanceClassifier != null && !"classifier".equals(guidance)) {
            throw new InvalidParameterException("--classifier", guidanceClassifier, "is used by --guidance classifier only, not by " + guidance);
        }
        if (guidance == null && !(guidanceParameters == null || guidanceParameters.isEmpty())) {
            throw new InvalidParameterException("--guidance", "missing", "--scale and --guidance-param need --guidance cfg|classifier");
        }
        backendParameters = frozen(backendParameters);
        guidanceParameters = frozen(guidanceParameters);
    }

    /** {@code model} on its default backend with the default sampler. */
    public static ModelRef of(String model) {
        return new ModelRef(model, null, Map.of(), SamplerChoice.defaults(), null, Map.of(), null);
    }

    public ModelRef withBackend(String name, Map<String, Object> parameters) {
        return new ModelRef(model, name, parameters, sampler, guidance, guidanceParameters, guidanceClassifier);
    }

    public ModelRef withSampler(SamplerChoice choice) {
        return new ModelRef(model, backend, backendParameters, choice, guidance, guidanceParameters, guidanceClassifier);
    }

    /** Guidance by {@code name} with {@code parameters}; {@code classifier} is the noisy classifier of classifier guidance (or null). */
    public ModelRef withGuidance(String name, Map<String, Object> parameters, String classifier) {
        return new ModelRef(model, backend, backendParameters, sampler, name, parameters, classifier);
    }

    /** The pipeline configuration of {@code source}: the backend and the guidance (the schedule and sampler are parts). */
    PipelineConfig config(ModelSource source) {
        String name = backend != null ? backend : source.kind().defaultBackend();
        Map<String, Object> parameters = new LinkedHashMap<>(backendParameters);
        if (THREADED.contains(name)) {
            parameters.putIfAbsent("threads", 1);
        }
        Optional<ComponentConfig> guided = guidance == null ? Optional.empty() : Optional.of(new ComponentConfig(guidance, guidanceParameters));
        return new PipelineConfig(new ComponentConfig(name, parameters), Optional.empty(), Optional.empty(), guided,
                Optional.empty(), Optional.empty());
    }

    private static Map<String, Object> frozen(Map<String, Object> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m == null ? Map.of() : m));
    }
}
