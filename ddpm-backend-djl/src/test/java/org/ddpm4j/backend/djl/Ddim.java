package org.ddpm4j.backend.djl;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.core.plugin.PluginRegistry;

/** The tests' sampler: the registry's real {@code ddim} plugin, deterministic, never a copy of it. */
final class Ddim {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();

    private Ddim() {
    }

    /** {@code steps} DDIM steps from {@code noise} (kept by the caller); no clipping: data may lie outside [-1, 1]. */
    static Tensor sample(Denoiser model, DiscreteSchedule schedule, Tensor noise, int steps, Condition condition) {
        return REGISTRY.createSampler("ddim", schedule, Parameters.of("steps", steps, "clip_sample", false))
                .sample(model, noise, SampleOptions.defaults().withCondition(condition));
    }
}
