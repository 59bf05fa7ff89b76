package org.ddpm4j.core.pipeline;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * What a configuration cannot name, bound over the configuration's: a model from a
 * {@link ModelSource} (a trained model brings its schedule), a {@link SamplerChoice} (a sampler by
 * name or a diffusers scheduler config, resolved on the model's schedule), a noisy classifier, step
 * listeners; and, for library callers, a schedule, a sampler or a model {@link Loader} they made
 * themselves. {@link Pipelines#build(org.ddpm4j.core.config.PipelineConfig,
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
    private ModelSource model;
    private boolean classesFromComponents;
    private ModelSource classifierSource;
    private SamplerChoice choice;

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

    /**
     * The denoiser of {@code source}, loaded on the pipeline's backend, with its own schedule if it
     * is trained (else the configuration's or the {@link SamplerChoice}'s); a mixture's components
     * act as classes when {@code classesFromComponents}. A scheduler config's {@code prediction_type}
     * applies to it: an analytic model predicts it exactly, a trained one must have been trained for it.
     */
    public PipelineParts model(ModelSource source, boolean classesFromComponents) {
        this.model = source;
        this.classesFromComponents = classesFromComponents;
        return this;
    }

    /** As {@link #model(ModelSource, boolean)}, a mixture unconditional. */
    public PipelineParts model(ModelSource source) {
        return model(source, false);
    }

    /** The noisy classifier of {@code source} ({@code gmm:FILE} or {@code checkpoint:DIR}) on the pipeline's backend. */
    public PipelineParts classifier(ModelSource source) {
        this.classifierSource = source;
        return this;
    }

    /** The sampler (and, without a trained model, the schedule) the user chose. */
    public PipelineParts sampler(SamplerChoice c) {
        this.choice = c;
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
                listeners.forEach(l -> Pipelines.listeners(binder()).addBinding().toInstance(l));
                if (schedule != null) {
                    bind(Schedule.class).toInstance(schedule);
                } else if (choice != null || model != null && model.kind().carriesSchedule()) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Schedule schedule(Resolution r) {
                            return r.schedule();
                        }
                    });
                }
                if (sampler != null) {
                    bindSampler(binder(), sampler);
                } else if (choice != null) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Optional<Sampler> sampler(Resolution r) {
                            return r.chosen().map(SamplerChoice.Resolved::sampler);
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
                } else if (model != null) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Optional<ModelSource.Loaded> loaded(PluginRegistry registry, TensorBackend backend, Schedule s, Owned owned) {
                            ModelSource.Loaded loaded = model.denoiser(registry, backend, s, classesFromComponents);
                            loaded.owner().ifPresent(owned::add);
                            return Optional.of(loaded);
                        }

                        @Provides
                        @Singleton
                        Optional<Denoiser> denoiser(Optional<ModelSource.Loaded> loaded, Resolution r, Schedule s, Owned owned) {
                            return Optional.of(owned.adopt(predicting(loaded.orElseThrow().denoiser(), r, s)));
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
                } else if (classifierSource != null) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Optional<Classifier> classifier(PluginRegistry registry, TensorBackend backend, Schedule s, Owned owned) {
                            return Optional.of(owned.adopt(classifierSource.classifier(registry, backend, s)));
                        }
                    });
                }
                if (choice != null || model != null) {
                    install(new AbstractModule() {
                        @Provides
                        @Singleton
                        Resolution resolution(PluginRegistry registry) {
                            return resolve(registry);
                        }
                    });
                }
            }
        };
    }

    private static void bindSampler(com.google.inject.Binder binder, Sampler sampler) {
        binder.install(new AbstractModule() {
            @Provides
            @Singleton
            Optional<Sampler> sampler() {
                return Optional.of(sampler);
            }
        });
    }

    /** The model's own schedule and the chosen sampler, resolved once. */
    record Resolution(Optional<Schedule> own, Optional<SamplerChoice.Resolved> chosen) {
        Schedule schedule() {
            return chosen.map(SamplerChoice.Resolved::schedule).orElseGet(() -> own.orElseThrow());
        }
    }

    private Resolution resolve(PluginRegistry registry) {
        Optional<Schedule> own = Optional.empty();
        if (model != null && model.kind().carriesSchedule()) {
            own = model.schedule(registry);
            if (own.isEmpty() && choice == null) {
                throw new InvalidParameterException("model", model.text(), "has no schedule of its own; give a scheduler configuration");
            }
        }
        Optional<java.nio.file.Path> folder = model != null && model.kind() == ModelSource.Kind.PRETRAINED
                ? Optional.of(model.location()) : Optional.empty();
        Optional<Schedule> fixed = own;
        return new Resolution(own, choice == null ? Optional.empty() : Optional.of(choice.resolve(registry, fixed, folder)));
    }

    /**
     * The model asked for the scheduler config's {@code prediction_type}: analytic denoisers give any
     * exactly; a trained model must have been trained to predict it.
     */
    private Denoiser predicting(Denoiser d, Resolution r, Schedule s) {
        Parameterization wanted = r.chosen().map(SamplerChoice.Resolved::predictionType).orElse(null);
        if (wanted == null || wanted == d.parameterization()) {
            return d;
        }
        if (!model.kind().carriesSchedule()) {
            return d.as(wanted, s);
        }
        throw new InvalidParameterException("prediction_type", wanted.diffusersName(), "must match the model, which predicts "
                + d.parameterization().diffusersName());
    }
}
