package org.ddpm4j.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.toolkit.io.Json;

/**
 * The one reading of {@code KEY=VALUE} options ({@code --param}, {@code --schedule-param},
 * {@code --guidance-param}, {@code --hyper}, ...): a value that is JSON is read as JSON (numbers,
 * booleans, null, lists such as {@code [999,500,0]}, objects); any other text is a string. So
 * {@code timesteps=[999,500,0]}, {@code eta=0.5}, {@code clip_sample=false} and
 * {@code timestep_spacing=trailing} mean the same on every command and in a JSON configuration.
 */
public final class KeyValues {
    private KeyValues() {
    }

    /** The values of {@code options}, in their order, read as described above. */
    public static Map<String, Object> parse(Map<String, String> options) {
        Map<String, Object> parsed = new LinkedHashMap<>();
        options.forEach((key, value) -> parsed.put(key, value(value)));
        return parsed;
    }

    /** One value: JSON if it parses as JSON, else the text itself. */
    public static Object value(String text) {
        try {
            return Json.mapper().readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            return text;
        }
    }
}
