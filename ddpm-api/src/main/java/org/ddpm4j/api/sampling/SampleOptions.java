package org.ddpm4j.api.sampling;

import java.util.Objects;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;

/**
 * Per-run options of a {@link Sampler}: the seed of its noise, the global index of the batch's
 * first sample, the condition, a step listener, and whether model outputs are checked for NaN.
 * Immutable; {@code with...} returns a copy.
 *
 * <p>A stochastic sampler draws the noise of row {@code r} at step {@code k} from
 * {@code GaussianNoise.forSample(seed, firstIndex + r, k)}: sample {@code i} of a run is the same
 * whichever batch it is computed in, as long as every batch gives its first row's global index.
 */
public record SampleOptions(long seed, long firstIndex, Condition condition, StepListener listener, boolean checkFinite) {

    public SampleOptions {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(listener, "listener");
        if (firstIndex < 0) {
            throw new InvalidParameterException("firstIndex", firstIndex, "must be >= 0 (the global index of the batch's first sample)");
        }
    }

    /** Seed 0, first index 0, unconditional, no listener, NaN checks on. */
    public static SampleOptions defaults() {
        return new SampleOptions(0L, 0L, Condition.none(), StepListener.NONE, true);
    }

    public SampleOptions withSeed(long seed) {
        return new SampleOptions(seed, firstIndex, condition, listener, checkFinite);
    }

    /** The global index of the batch's first sample (row 0), e.g. 16 for the second batch of 16. */
    public SampleOptions withFirstIndex(long firstIndex) {
        return new SampleOptions(seed, firstIndex, condition, listener, checkFinite);
    }

    public SampleOptions withCondition(Condition condition) {
        return new SampleOptions(seed, firstIndex, condition, listener, checkFinite);
    }

    public SampleOptions withListener(StepListener listener) {
        return new SampleOptions(seed, firstIndex, condition, listener, checkFinite);
    }

    /** Adds a listener after the current one. */
    public SampleOptions andListener(StepListener next) {
        return withListener(listener.andThen(next));
    }

    public SampleOptions withCheckFinite(boolean checkFinite) {
        return new SampleOptions(seed, firstIndex, condition, listener, checkFinite);
    }
}
