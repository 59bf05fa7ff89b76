package org.ddpm4j.core.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.toolkit.io.Json;

/**
 * The JSON configuration of a pipeline: which backend, schedule, sampler, guidance and denoiser, each
 * {@code {"type": NAME, ...parameters}}, and the noisy classifier that classifier guidance uses.
 * In JSON only {@code schedule} is required; {@code backend} defaults to {@code java}. A configuration
 * assembled in code may leave the schedule out when the pipeline's parts give it (a trained model's
 * own, a diffusers scheduler config: {@code org.ddpm4j.core.pipeline.PipelineParts}).
 *
 * <pre>{@code
 * {
 *   "backend":  {"type": "java"},
 *   "schedule": {"type": "cosine", "num_train_timesteps": 1000},
 *   "sampler":  {"type": "ddim", "steps": 50, "eta": 0.0},
 *   "denoiser": {"type": "gmm", "path": "mixture.json"}
 * }
 * }</pre>
 */
public record PipelineConfig(ComponentConfig backend, Optional<ComponentConfig> schedule, Optional<ComponentConfig> sampler,
                             Optional<ComponentConfig> guidance, Optional<ComponentConfig> denoiser,
                             Optional<ComponentConfig> classifier) {
    private static final Set<String> SECTIONS = Set.of("backend", "schedule", "sampler", "guidance", "denoiser", "classifier");

    public static PipelineConfig read(Path file) {
        return fromMap(Json.readObject(file));
    }

    public static PipelineConfig parse(String json) {
        return fromMap(Json.parseObject(json, "configuration"));
    }

    public static PipelineConfig fromMap(Map<String, Object> map) {
        for (String key : map.keySet()) {
            if (!SECTIONS.contains(key)) {
                throw new InvalidParameterException(key, map.get(key),
                        "unknown section; allowed: backend, schedule, sampler, guidance, denoiser, classifier");
            }
        }
        ComponentConfig schedule = section(map, "schedule")
                .orElseThrow(() -> new InvalidParameterException("schedule", "missing", "is required, e.g. {\"type\": \"linear\"}"));
        return new PipelineConfig(section(map, "backend").orElse(ComponentConfig.of("java")), Optional.of(schedule),
                section(map, "sampler"), section(map, "guidance"), section(map, "denoiser"), section(map, "classifier"));
    }

    /** A configuration of {@code backend} alone, to be completed with the {@code with...} methods or the pipeline's parts. */
    public static PipelineConfig of(ComponentConfig backend) {
        return new PipelineConfig(backend, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public PipelineConfig withSchedule(ComponentConfig c) {
        return new PipelineConfig(backend, Optional.of(c), sampler, guidance, denoiser, classifier);
    }

    public PipelineConfig withSampler(ComponentConfig c) {
        return new PipelineConfig(backend, schedule, Optional.of(c), guidance, denoiser, classifier);
    }

    public PipelineConfig withGuidance(ComponentConfig c) {
        return new PipelineConfig(backend, schedule, sampler, Optional.of(c), denoiser, classifier);
    }

    private static Optional<ComponentConfig> section(Map<String, Object> map, String name) {
        Object v = map.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(ComponentConfig.of(s));
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new InvalidParameterException(name, v, "must be an object {\"type\": NAME, ...parameters} or a name");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        m.forEach((k, value) -> params.put(String.valueOf(k), value));
        Object type = params.remove("type");
        if (!(type instanceof String t) || t.isBlank()) {
            throw new InvalidParameterException(name + ".type", type == null ? "missing" : type, "must name a " + name + " plugin");
        }
        return Optional.of(new ComponentConfig(t, params));
    }
}
