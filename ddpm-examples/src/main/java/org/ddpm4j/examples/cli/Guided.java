package org.ddpm4j.examples.cli;

import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
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

    /**
     * The unconditional model inside a class-conditional one: its null-class prediction, seen as an
     * unconditional denoiser. Classifier guidance of {@code p(x)} adds the classifier's gradient to
     * this prediction ({@code eps(x_t) - s sigma_t grad log p(y | x_t)}); guiding the conditional
     * prediction instead would count the class twice.
     */
    static Denoiser unconditional(Denoiser conditional) {
        if (conditional.numClasses() == 0) {
            return conditional;
        }
        return new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return conditional.parameterization();
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                return conditional.predict(x, t, Condition.repeat(Condition.NULL_CLASS, x.batchSize()));
            }

            @Override
            public Optional<int[]> sampleShape() {
                return conditional.sampleShape();
            }

            @Override
            public org.ddpm4j.api.model.VarianceOutput varianceOutput() {
                return conditional.varianceOutput();
            }

            @Override
            public String toString() {
                return "null class of " + conditional;
            }
        };
    }
}
