package org.ddpm4j.core.pipeline;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * Guice bindings of a pipeline: each component is built by its plugin from its configuration, in
 * dependency order (backend and schedule first, then the sampler for the schedule, the denoiser
 * on the backend); the configured guidance becomes the {@link DenoiserLayer} at
 * {@link DenoiserLayer#GUIDANCE}. Declares the multibindings of denoiser layers and step listeners
 * that extensions and users add to. Users can override any binding with {@code Modules.override}
 * (see {@link Pipelines#build(PipelineConfig, PluginRegistry, com.google.inject.Module...)}).
 */
public final class PipelineModule extends AbstractModule {
    private final PipelineConfig config;
    private final PluginRegistry registry;
    private final Owned owned;

    public PipelineModule(PipelineConfig config, PluginRegistry registry) {
        this(config, registry, new Owned());
    }

    PipelineModule(PipelineConfig config, PluginRegistry registry, Owned owned) {
        this.config = config;
        this.registry = registry;
        this.owned = owned;
    }

    @Override
    protected void configure() {
        bind(PluginRegistry.class).toInstance(registry);
        bind(PipelineConfig.class).toInstance(config);
        bind(Pipeline.class).in(Singleton.class);
        bind(Owned.class).toInstance(owned);
        Multibinder<DenoiserLayer> layers = Pipelines.layers(binder());
        Pipelines.listeners(binder());
        config.guidance().ifPresent(c -> layers.addBinding().toProvider((com.google.inject.Provider<DenoiserLayer>) () -> guidanceLayer(registry.createGuidance(c.type(),
                c.asParameters()))));
    }

    private static DenoiserLayer guidanceLayer(Guidance guidance) {
        return DenoiserLayer.of(DenoiserLayer.GUIDANCE, guidance.name(), guidance::guide);
    }

    @Provides
    @Singleton
    TensorBackend backend() {
        ComponentConfig c = config.backend();
        TensorBackend backend = registry.createBackend(c.type(), c.asParameters());
        owned.backend(backend);
        return backend;
    }

    @Provides
    @Singleton
    Schedule schedule() {
        ComponentConfig c = config.schedule().orElseThrow(() -> new InvalidParameterException("schedule", "missing",
                "is required unless the pipeline's parts give it (a trained model's own, a scheduler configuration)"));
        return registry.createSchedule(c.type(), c.asParameters());
    }

    @Provides
    @Singleton
    Optional<ModelSource.Loaded> loadedModel() {
        return Optional.empty();
    }

    @Provides
    @Singleton
    Optional<Sampler> sampler(Schedule schedule) {
        return config.sampler().map(c -> registry.createSampler(c.type(), schedule, c.asParameters()));
    }

    @Provides
    @Singleton
    Optional<Denoiser> denoiser(TensorBackend backend, Schedule schedule) {
        return config.denoiser().map(c -> registry.createDenoiser(c.type(), backend, schedule, c.asParameters()));
    }

    @Provides
    @Singleton
    Optional<Classifier> classifier(TensorBackend backend, Schedule schedule) {
        return config.classifier().map(c -> registry.createClassifier(c.type(), backend, schedule, c.asParameters()));
    }
}
