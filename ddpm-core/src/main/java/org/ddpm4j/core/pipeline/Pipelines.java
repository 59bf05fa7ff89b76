package org.ddpm4j.core.pipeline;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.spi.Message;
import com.google.inject.util.Modules;
import com.google.inject.Binder;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * The composition root: builds {@link Pipeline}s with Guice from a {@link PipelineConfig} (read from
 * JSON or assembled from command-line options), the {@link PipelineModule} of the configured
 * plugins, every {@link PipelineExtension} on the class path and the caller's overrides, in that
 * order. The injector runs in production stage, so every component is built and every plugin
 * parameter validated now, not at step 900 of a run. Errors come out as the plugin threw them (e.g.
 * {@code InvalidParameterException}), not wrapped in Guice's.
 */
public final class Pipelines {
    private Pipelines() {
    }

    /** Builds a pipeline from the plugins on the class path. */
    public static Pipeline build(PipelineConfig config) {
        return build(config, PluginRegistry.load());
    }

    /** Builds a pipeline from the plugins on the class path, with {@code parts} over the configuration's. */
    public static Pipeline build(PipelineConfig config, PipelineParts parts, Module... overrides) {
        return build(config, PluginRegistry.load(), parts, overrides);
    }

    /**
     * Builds a pipeline; {@code overrides} replace any binding of the configuration or of an
     * extension (e.g. the {@code TensorBackend}) and may add layers and listeners.
     */
    public static Pipeline build(PipelineConfig config, PluginRegistry registry, Module... overrides) {
        return build(config, registry, PipelineParts.none(), overrides);
    }

    /**
     * Builds a pipeline whose {@code parts} (a model a command loaded, a sampler from a scheduler
     * config) replace the configuration's; what was created is released if the build fails.
     */
    public static Pipeline build(PipelineConfig config, PluginRegistry registry, PipelineParts parts, Module... overrides) {
        Owned owned = new Owned();
        try {
            return compose(config, registry, owned, parts, overrides);
        } catch (RuntimeException e) {
            owned.closeAfterFailure();
            throw e;
        }
    }

    private static Pipeline compose(PipelineConfig config, PluginRegistry registry, Owned owned, PipelineParts parts, Module... overrides) {
        List<Module> base = new ArrayList<>();
        base.add(new PipelineModule(config, registry, owned));
        ServiceLoader.load(PipelineExtension.class).forEach(base::add);
        List<Module> replacing = new ArrayList<>(List.of(overrides));
        replacing.add(0, parts.module());
        Module module = Modules.override(base).with(replacing);
        try {
            return Guice.createInjector(Stage.PRODUCTION, module).getInstance(Pipeline.class);
        } catch (CreationException e) {
            throw unwrap(e.getErrorMessages().stream().map(Message::getCause).filter(c -> c != null).findFirst().orElse(null), e);
        } catch (ProvisionException e) {
            throw unwrap(e.getErrorMessages().stream().map(Message::getCause).filter(c -> c != null).findFirst().orElse(null), e);
        }
    }

    /** The multibinding of denoiser layers, to add one: {@code Pipelines.layers(binder()).addBinding().toInstance(layer)}. */
    public static Multibinder<DenoiserLayer> layers(Binder binder) {
        return Multibinder.newSetBinder(binder, DenoiserLayer.class);
    }

    /** The multibinding of step listeners that every {@link Pipeline#sample} run reports to. */
    public static Multibinder<StepListener> listeners(Binder binder) {
        return Multibinder.newSetBinder(binder, StepListener.class);
    }

    private static RuntimeException unwrap(Throwable cause, RuntimeException guice) {
        while (cause instanceof ProvisionException p && p.getCause() != null) {
            cause = p.getCause();
        }
        return cause instanceof RuntimeException r ? r : guice;
    }
}
