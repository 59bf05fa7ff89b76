package org.ddpm4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.core.config.ComponentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model card's step schedules are found by sampler, parameters, number of steps and the guidance they were tuned under. */
class TunedStepSchedulesTest {
    private static final Map<String, Object> CFG_3 = Map.of("type", "cfg", "scale", 3.0, "thresholding", true);

    @Test
    void guidancesCompareByTypeAndParametersWithNumbersByValue() {
        assertTrue(TunedGuidance.same(null, null));
        assertTrue(TunedGuidance.same(null, Map.of()));
        assertTrue(TunedGuidance.same(CFG_3, Map.of("type", "cfg", "scale", 3)), "3 and 3.0 are one scale; thresholding is the sampler's");
        assertTrue(TunedGuidance.same(Map.of("type", "cfg", "scale", "3"), Map.of("type", "cfg", "scale", 3.0)));
        assertTrue(TunedGuidance.same(Map.of("type", "cfg", "interval", List.of(0, 500.0)), Map.of("type", "cfg", "interval", List.of(0.0, 500))));
        assertFalse(TunedGuidance.same(CFG_3, null));
        assertFalse(TunedGuidance.same(CFG_3, Map.of("type", "cfg", "scale", 2.0)));
        assertFalse(TunedGuidance.same(CFG_3, Map.of("type", "classifier", "scale", 3.0)));
        assertFalse(TunedGuidance.same(CFG_3, Map.of("type", "cfg")), "a missing scale is the plugin's default, not 3 by assumption");
        assertFalse(TunedGuidance.same(CFG_3, Map.of("type", "cfg", "scale", 3.0, "guidance_rescale", 0.7)));
        assertFalse(TunedGuidance.same(Map.of("type", "cfg", "interval", List.of(0, 500)), Map.of("type", "cfg", "interval", List.of(0, 500, 1))));
        assertEquals("none", TunedGuidance.describe(null));
        assertEquals("cfg {scale=3.0}", TunedGuidance.describe(CFG_3));
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachGuidanceKeepsItsOwnScheduleThroughAWrittenCard(@TempDir Path dir) {
        NetworkSpec spec = new NetworkSpec("mlp", new int[] {2}, 2, Parameterization.EPSILON, Parameters.of(Map.of()));
        ModelCard card = new ModelCard("denoiser", spec, List.of(), new ComponentConfig("linear", Map.of()), "djl", Map.of(), Map.of())
                .withStepSchedule(entry(null, List.of(900, 500, 100)))
                .withStepSchedule(entry(CFG_3, List.of(950, 600, 150)))
                .withStepSchedule(entry(Map.of("type", "cfg", "scale", 3), List.of(940, 610, 160)));
        assertEquals(2, card.stepSchedules().size(), "a new schedule for the same guidance replaces the old one, another guidance's stays");
        Path file = dir.resolve(ModelCard.FILE);
        card.write(file);
        ModelCard read = ModelCard.read(file);

        Map<String, Object> given = Map.of("thresholding", "true");
        assertEquals(List.of(900, 500, 100), read.tunedSteps("dpmsolver++", given, 3, null).get("timesteps"));
        assertEquals(List.of(940, 610, 160), read.tunedSteps("dpmsolver++", given, 3, Map.of("type", "cfg", "scale", 3.0)).get("timesteps"));
        assertNull(read.tunedSteps("dpmsolver++", given, 3, Map.of("type", "cfg", "scale", 5.0)));
        assertNull(read.tunedSteps("dpmsolver++", given, 4, null), "no schedule for 4 steps");
        assertNull(read.tunedSteps("dpmsolver++", Map.of("thresholding", "false"), 3, null), "other sampler parameters");
        assertNull(read.tunedSteps("unipc", given, 3, null));
        assertEquals(List.of("none", "cfg {scale=3}"), read.tunedGuidances("dpmsolver++", given, 3));
    }

    private static Map<String, Object> entry(Map<String, Object> guidance, List<Integer> times) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("sampler", "dpmsolver++");
        e.put("parameters", Map.of("thresholding", true));
        if (guidance != null) {
            e.put("guidance", guidance);
        }
        e.put("timesteps", Map.of("3", times));
        return e;
    }
}
