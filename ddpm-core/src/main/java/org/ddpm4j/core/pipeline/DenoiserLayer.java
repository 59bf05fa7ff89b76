package org.ddpm4j.core.pipeline;

import java.util.Objects;
import java.util.function.BiFunction;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Denoiser;

/**
 * One layer around a pipeline's denoiser. The pipeline applies every bound layer (a Guice
 * multibinding, see {@link Pipelines#layers}) in ascending {@link #order()}, innermost first: the
 * model, then {@link #MODEL} layers (caches, adapters of the raw model), then the configured
 * guidance at {@link #GUIDANCE}, then {@link #AFTER_GUIDANCE} layers (thresholding, logging of what
 * the sampler sees). Layers of equal order apply in the order of their names.
 */
public interface DenoiserLayer {
    /** Layers that act on the raw model, below guidance. */
    int MODEL = 50;
    /** The configured guidance plugin (classifier-free or classifier guidance). */
    int GUIDANCE = 100;
    /** Layers that act on the guided prediction. */
    int AFTER_GUIDANCE = 200;

    /** Where the layer sits; smaller is closer to the model. */
    int order();

    /** The layer's name, for messages and to order layers of equal {@link #order()}. */
    String name();

    /** {@code inner} wrapped by this layer; fails here, before sampling, if it cannot be. */
    Denoiser wrap(Denoiser inner, GuidanceContext context);

    /** A layer from a function. */
    static DenoiserLayer of(int order, String name, BiFunction<Denoiser, GuidanceContext, Denoiser> wrap) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wrap, "wrap");
        return new DenoiserLayer() {
            @Override
            public int order() {
                return order;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Denoiser wrap(Denoiser inner, GuidanceContext context) {
                return wrap.apply(inner, context);
            }

            @Override
            public String toString() {
                return name + "@" + order;
            }
        };
    }
}
