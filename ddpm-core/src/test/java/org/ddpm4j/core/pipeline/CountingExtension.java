package org.ddpm4j.core.pipeline;

import com.google.inject.AbstractModule;
import java.util.concurrent.atomic.AtomicLong;

/** An extension found by ServiceLoader (see the test resources): a step listener that counts the steps of every pipeline run. */
public final class CountingExtension extends AbstractModule implements PipelineExtension {
    static final AtomicLong STEPS = new AtomicLong();

    @Override
    protected void configure() {
        Pipelines.listeners(binder()).addBinding().toInstance(event -> STEPS.incrementAndGet());
    }
}
