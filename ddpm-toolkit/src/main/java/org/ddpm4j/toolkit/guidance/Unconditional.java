package org.ddpm4j.toolkit.guidance;

import java.util.Optional;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The unconditional model inside a class-conditional one: its null-class prediction, seen as an
 * unconditional denoiser. Classifier guidance of {@code p(x)} adds the classifier's gradient to this
 * prediction ({@code eps(x_t) - s sigma_t grad log p(y | x_t)}); guiding the conditional prediction
 * instead would count the class twice.
 */
public final class Unconditional {
    private Unconditional() {
    }

    /** {@code conditional}'s null-class prediction whatever the condition; an unconditional model as it is. */
    public static Denoiser of(Denoiser conditional) {
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
            public VarianceOutput varianceOutput() {
                return conditional.varianceOutput();
            }

            @Override
            public String toString() {
                return "null class of " + conditional;
            }
        };
    }
}
