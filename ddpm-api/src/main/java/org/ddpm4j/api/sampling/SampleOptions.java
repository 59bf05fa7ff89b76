package org.ddpm4j.api.sampling;

import java.util.Objects;
import org.ddpm4j.api.model.Condition;

/**
 * Per-run options of a {@link Sampler}: the seed of its noise, the condition, a step listener,
 * and whether model outputs are checked for NaN. Immutable; {@code with...} returns a copy.
 */
public record SampleOptions(long seed, Condition condition, StepListener listener, boolean checkFinite) {

    public SampleOptions {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(listener, "listener");
    }

    /** Seed 0, unconditional, no listener, NaN checks on. */
    public static SampleOptions defaults() {
        return new SampleOptions(0L, Condition.none(), StepListener.NONE, true);
    }

    public SampleOptions withSeed(long seed) {
        return new SampleOptions(seed, condition, listener, checkFinite);
    }

    public SampleOptions withCondition(Condition condition) {
        return new SampleOptions(seed, condition, listener, checkFinite);
    }

    public SampleOptions withListener(StepListener listener) {
        return new SampleOptions(seed, condition, listener, checkFinite);
    }

    /** Adds a listener after the current one. */
    public SampleOptions andListener(StepListener next) {
        return withListener(listener.andThen(next));
    }

    public SampleOptions withCheckFinite(boolean checkFinite) {
        return new SampleOptions(seed, condition, listener, checkFinite);
    }
}
