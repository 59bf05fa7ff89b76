package org.ddpm4j.toolkit.guidance;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;

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
        return new Relabelled(conditional, n -> Condition.repeat(Condition.NULL_CLASS, n), "null class of " + conditional);
    }
}
