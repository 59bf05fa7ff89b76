package org.ddpm4j.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.junit.jupiter.api.Test;

class KeyValuesTest {

    @Test
    void jsonValuesAreReadAsJsonAndAnythingElseIsAString() {
        assertEquals(List.of(999, 500, 0), KeyValues.value("[999,500,0]"));
        assertEquals(0.5, KeyValues.value("0.5"));
        assertEquals(false, KeyValues.value("false"));
        assertNull(KeyValues.value("null"));
        assertEquals(Map.of("a", 1), KeyValues.value("{\"a\": 1}"));
        assertEquals("trailing", KeyValues.value("trailing"));
        assertEquals("[1, 2", KeyValues.value("[1, 2"));
        assertEquals("1 2", KeyValues.value("1 2"));
    }

    @Test
    void parsedOptionsReadLikeAJsonConfiguration() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("timesteps", "[999,500,0]");
        options.put("clip_sample", "false");
        options.put("timestep_spacing", "trailing");
        Parameters p = Parameters.of(KeyValues.parse(options));
        assertArrayEquals(new int[] {999, 500, 0}, p.requireIntArray("timesteps"));
        assertFalse(p.getBoolean("clip_sample", true));
        assertEquals("trailing", p.getString("timestep_spacing", "linspace"));
        assertEquals(List.of("timesteps", "clip_sample", "timestep_spacing"), List.copyOf(KeyValues.parse(options).keySet()));
    }
}
