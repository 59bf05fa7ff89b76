package org.ddpm4j.api.plugin;

import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/**
 * Builds a {@link Denoiser} that needs no training run: an analytic denoiser of a known
 * distribution, or a model loaded from a file (TorchScript, SavedModel).
 */
public interface DenoiserFactory extends Factory {

    Denoiser create(TensorBackend backend, Schedule schedule, Parameters parameters);

    /**
     * A factory with its {@code examples} (see {@link Factory#examples()}; none when every configuration
     * names a user's file).
     */
    static DenoiserFactory of(String name, String description, List<Map<String, Object>> examples, OnBackend<Denoiser> create) {
        return new Factories.OfDenoiser(name, description, create, examples);
    }
}
