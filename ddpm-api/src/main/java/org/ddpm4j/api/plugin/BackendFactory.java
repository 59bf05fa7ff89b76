package org.ddpm4j.api.plugin;

import java.util.function.Function;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.tensor.TensorBackend;

/** Builds a {@link TensorBackend} (parameters such as {@code device}, {@code threads}). */
public interface BackendFactory extends Factory {

    TensorBackend create(Parameters parameters);

    static BackendFactory of(String name, String description, Function<Parameters, TensorBackend> create) {
        return new Factories.OfBackend(name, description, create);
    }
}
