package org.ddpm4j.core.pipeline;

import com.google.inject.Module;

/**
 * Guice bindings that a jar adds to every pipeline, found by {@link java.util.ServiceLoader} (name
 * the class in {@code META-INF/services/org.ddpm4j.core.pipeline.PipelineExtension}), as Apache
 * Druid's extensions contribute modules. An extension typically adds {@link DenoiserLayer}s or
 * {@code StepListener}s through {@link Pipelines#layers} / {@link Pipelines#listeners}. Plugins that
 * only add schedules, samplers, guidance or backends do not need one: the {@code Plugin} SPI of
 * ddpm-api suffices and keeps them free of Guice.
 */
public interface PipelineExtension extends Module {
}
