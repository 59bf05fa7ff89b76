package org.ddpm4j.examples.cli;

import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.plugin.PluginRegistry;

/** Guided denoisers of the sample and eval commands: a guidance plugin wrapped around a model. */
final class Guided {

    private Guided() {
    }

    /**
     * {@code model} guided by the guidance plugin {@code name} with {@code parameters}; {@code classifier}
     * is the noisy classifier of classifier guidance (absent for classifier-free guidance).
     */
    static Denoiser denoiser(PluginRegistry registry, String name, Map<String, Object> parameters, Denoiser model, Schedule schedule,
                             Optional<Classifier> classifier) {
        GuidanceContext context = GuidanceContext.of(schedule);
        if (classifier.isPresent()) {
            context = context.withClassifier(classifier.get());
        }
        return registry.createGuidance(name, Parameters.of(parameters)).guide(model, context);
    }
}
