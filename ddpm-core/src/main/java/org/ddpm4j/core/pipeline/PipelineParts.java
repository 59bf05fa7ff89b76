package org.ddpm4j.core.pipeline;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/**
 * Components a caller resolves itself instead of from the configuration's plugins: a schedule and a
 * sampler read from a model card or a diffusers scheduler config, a trained model loaded on the
 * pipeline's backend, step listeners. {@link Pipelines#build(org.ddpm4j.core.config.PipelineConfig,
 * org.ddpm4j.core.plugin.PluginRegistry, PipelineParts)} binds them over the configuration's, so a
 * command's pipeline is composed (guidance layers, listeners) and released ({@link Pipeline#close()})
 * exactly like one read from JSON.
 */
public final class PipelineParts {

    /** Loads a component on the pipeline's backend; {@code owns} takes what must be closed with the pipeline. */
    @FunctionalInterface
    public interface Loader<T> {
        T load(TensorBackend backend, Schedule schedule, Consumer<AutoCloseable> owns);
    }

    private Schedule schedule;
    private Sampler sampler;
    private Loader<Denoiser> denoiser;
    private Loader<Classifier> classifier;
    private final List<StepListener> listeners = new ArrayList<>();

    /** No parts: everything comes from the configuration. */
    public static PipelineParts none() {
        return new PipelineParts();
    }

    public PipelineParts schedule(Schedule s) {
        this.schedule = s;
        return this;
    }

    public PipelineParts sampler(Sampler s) {
        this.sampler = s;
        return this;
    }

    public PipelineParts denoiser(Loader<Denoiser> loader) {
        this.denoiser = loader;
        return this;
    }

    public PipelineParts classifier(Loader<Classifier> loader) {
        this.classifier = loader;
        return this;
    }

    public PipelineParts listener(StepListener listener) {
        listeners.add(listener);
        return this;
    }

    /** The bindings of the given parts, to override the configuration's. */
    com.google.inject.Module module() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                if (schedule != null) {
                    bind(Schedule.class).toInstance(schedule);
                }
                listeners.forEach(l -> Pipelines.listeners(binder()).addBinding().toInstance(l));
                if (sampler != null) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Optional<Sampler> sampler() {
                            return Optional.of(sampler);
                        }
                    });
                }
                if (denoiser != null) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Optional<Denoiser> denoiser(TensorBackend backend, Schedule s, Owned owned) {
                            return Optional.of(owned.adopt(denoiser.load(backend, s, owned::add)));
                        }
                    });
                }
                if (classifier != null) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Optional<Classifier> classifier(TensorBackend backend, Schedule s, Owned owned) {
                            return Optional.of(owned.adopt(classifier.load(backend, s, owned::add)));
                        }
                    });
                }
            }
        };
    }
}
