package org.ddpm4j.core.pipeline;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import com.google.inject.util.Modules;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * Builds {@link Pipeline}s with Guice. The injector runs in production stage, so every component
 * is built and every plugin parameter validated now, not at step 900 of a run. Errors come out as
 * the plugin threw them (e.g. {@code InvalidParameterException}), not wrapped in Guice's.
 */
public final class Pipelines {
    private Pipelines() {
    }

    /** Builds a pipeline from the plugins on the class path. */
    public static Pipeline build(PipelineConfig config) {
        return build(config, PluginRegistry.load());
    }

    /** Builds a pipeline; {@code overrides} replace any of the default bindings. */
    public static Pipeline build(PipelineConfig config, PluginRegistry registry, Module... overrides) {
        Module module = Modules.override(new PipelineModule(config, registry)).with(overrides);
        try {
            return Guice.createInjector(Stage.PRODUCTION, module).getInstance(Pipeline.class);
        } catch (CreationException e) {
            throw unwrap(e.getErrorMessages().stream().map(Message::getCause).filter(c -> c != null).findFirst().orElse(null), e);
        } catch (ProvisionException e) {
            throw unwrap(e.getErrorMessages().stream().map(Message::getCause).filter(c -> c != null).findFirst().orElse(null), e);
        }
    }

    private static RuntimeException unwrap(Throwable cause, RuntimeException guice) {
        while (cause instanceof ProvisionException p && p.getCause() != null) {
            cause = p.getCause();
        }
        return cause instanceof RuntimeException r ? r : guice;
    }
}
