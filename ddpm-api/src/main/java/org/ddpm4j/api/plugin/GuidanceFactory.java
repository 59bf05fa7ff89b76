package org.ddpm4j.api.plugin;

import java.util.function.Function;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;

/** Builds a {@link Guidance} from its parameters (scale, schedule of the scale, options). */
public interface GuidanceFactory extends Factory {

    Guidance create(Parameters parameters);

    static GuidanceFactory of(String name, String description, Function<Parameters, Guidance> create) {
        return new Factories.OfGuidance(name, description, create);
    }
}
