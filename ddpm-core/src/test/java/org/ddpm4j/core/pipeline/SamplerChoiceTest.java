package org.ddpm4j.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sampler choice travels to other machines (a distributed job's executors) by Java serialization. */
class SamplerChoiceTest {

    @Test
    void survivesSerializationWithItsParametersInOrder() throws Exception {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("steps", 20);
        run.put("timestep_spacing", "trailing");
        run.put("eta", 0.5);
        SamplerChoice choice = new SamplerChoice("/models/scheduler_config.json", "ddim", null, Map.of("beta_end", 0.02), run);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(choice);
        }
        SamplerChoice copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (SamplerChoice) in.readObject();
        }

        assertEquals(choice, copy);
        assertEquals(List.of("steps", "timestep_spacing", "eta"), List.copyOf(copy.samplerParameters().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> copy.samplerParameters().put("steps", 1));
        assertEquals(SamplerChoice.defaults(), new SamplerChoice(null, null, null, Map.of(), Map.of()));
    }
}
