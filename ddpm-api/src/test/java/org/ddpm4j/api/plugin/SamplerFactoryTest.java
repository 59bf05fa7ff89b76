package org.ddpm4j.api.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SamplerFactoryTest {
    private final List<Parameters> seen = new ArrayList<>();
    private final SamplerFactory plain = SamplerFactory.of("s", "a sampler", (schedule, p) -> {
        seen.add(p);
        return null;
    }, "SomeScheduler");

    @Test
    void aFactoryDeclaresItsDefaultsAsItsOnlyExample() {
        assertEquals(List.of(Map.of()), plain.examples());
    }

    @Test
    void withExamplesKeepsEverythingElse() {
        Map<String, Object> example = Map.of("solver_order", 3);
        SamplerFactory f = plain.withExamples(List.of(example));
        assertEquals(List.of(example), f.examples());
        assertEquals("s", f.name());
        assertEquals("a sampler", f.description());
        assertEquals(List.of("SomeScheduler"), f.diffusersClassNames());
        Parameters p = Parameters.of(example);
        f.create(null, p);
        assertSame(p, seen.get(0), "creation is the wrapped factory's");
        assertThrows(UnsupportedOperationException.class, () -> f.examples().add(Map.of()), "the examples are a copy");
    }

    @Test
    void aSamplerDeclaresNoOrderByDefault() {
        Sampler s = new Sampler() {
            @Override
            public String name() {
                return "s";
            }

            @Override
            public Schedule schedule() {
                return null;
            }

            @Override
            public int steps() {
                return 1;
            }

            @Override
            public double[] timesteps() {
                return new double[1];
            }

            @Override
            public SamplingRun start(Denoiser denoiser, Tensor noise, SampleOptions options) {
                return null;
            }
        };
        assertTrue(s.order().isEmpty());
    }
}
