package org.ddpm4j.core.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Parameters;

/**
 * One part of a pipeline configuration: the plugin name ({@code "type"}) and its parameters,
 * e.g. {@code {"type": "ddim", "steps": 50, "eta": 0.0}}.
 */
public record ComponentConfig(String type, Map<String, Object> parameters) {

    public ComponentConfig {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public static ComponentConfig of(String type) {
        return new ComponentConfig(type, Map.of());
    }

    /** The entry as written in a configuration: {@code type} and the parameters in one map. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.putAll(parameters);
        return m;
    }

    public Parameters asParameters() {
        return Parameters.of(parameters);
    }
}
