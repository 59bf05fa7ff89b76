package org.ddpm4j.toolkit.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.SampleNoise;
import org.ddpm4j.toolkit.io.Json;
import org.junit.jupiter.api.Test;

/**
 * The per-sample noise is the same in Python: {@code tools/diffusers-reference/java_noise.py} wrote
 * {@code noise/java_noise.json}, and the diffusers fixtures of stochastic samplers are drawn with it.
 */
class JavaNoisePythonTest {

    @Test
    @SuppressWarnings("unchecked")
    void javaNoisePyDrawsTheSameNumbers() throws URISyntaxException {
        Map<String, Object> fixture = Json.readObject(Path.of(getClass().getResource("/noise/java_noise.json").toURI()));
        List<Map<String, Object>> cases = (List<Map<String, Object>>) fixture.get("cases");
        assertEquals(4, cases.size());
        for (Map<String, Object> c : cases) {
            long seed = ((Number) c.get("seed")).longValue();
            long first = ((Number) c.get("first_index")).longValue();
            long step = ((Number) c.get("step")).longValue();
            List<Number> shape = (List<Number>) c.get("shape");
            int rows = shape.get(0).intValue();
            float[] java = new SampleNoise(seed, first, rows, step).nextFloats(shape.get(1).intValue());
            assertArrayEquals(floats((List<Number>) c.get("values")), java, "case " + c.get("seed") + "/" + first + "/" + step);
        }
        Map<String, Object> forStep = (Map<String, Object>) fixture.get("for_step");
        assertArrayEquals(floats((List<Number>) forStep.get("values")), GaussianNoise.forStep(
                ((Number) forStep.get("seed")).longValue(), ((Number) forStep.get("step")).longValue()).nextFloats(3));
    }

    private static float[] floats(List<Number> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }
}
