package org.ddpm4j.api.plugin;

import java.util.function.Function;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.tensor.TensorBackend;

/** Builds a {@link TensorBackend} (parameters such as {@code device}, {@code threads}). */
public interface BackendFactory extends Factory {

    TensorBackend create(Parameters parameters);

    /**
     * Loads what every {@link #create} needs first and takes long (native libraries), so that a caller
     * can start it on another thread while it reads a model and let {@code create} find it done.
     * Idempotent and safe from any thread; changes no setting a later {@code create} makes. A failure
     * here is left to {@code create} to report. The default does nothing.
     */
    default void preload() {
    }

    static BackendFactory of(String name, String description, Function<Parameters, TensorBackend> create) {
        return of(name, description, create, () -> { });
    }

    /** A factory whose {@link #preload()} runs {@code preload}. */
    static BackendFactory of(String name, String description, Function<Parameters, TensorBackend> create, Runnable preload) {
        return new Factories.OfBackend(name, description, create, preload);
    }
}
