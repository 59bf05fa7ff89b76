package org.ddpm4j.toolkit.guidance;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;

/**
 * A class-conditional (or guided) model asked, for a batch of fixed size, always with the same
 * labels, whatever condition it is given: an unconditional denoiser to code that samples without a
 * condition, such as the step-schedule search, which then follows the guided flow of those labels.
 */
public final class FixedCondition {
    private FixedCondition() {
    }

    /** {@code model} asked with {@code labels} (one per sample of every batch it is given). */
    public static Denoiser of(Denoiser model, Condition labels) {
        if (labels.isNone()) {
            throw new IllegalArgumentException("labels must name a class per sample, not Condition.none()");
        }
        return new Relabelled(model, n -> {
            if (n != labels.size()) {
                throw new IllegalArgumentException("this model is asked with " + labels.size() + " fixed labels, so it takes batches of "
                        + labels.size() + " samples, not " + n);
            }
            return labels;
        }, model + " with fixed labels");
    }
}
