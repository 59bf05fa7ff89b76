package org.ddpm4j.toolkit.sampling;

import org.ddpm4j.api.tensor.Tensor;

/**
 * The update rule of one sampling run: moves the state from step {@code i} to step {@code i + 1}.
 * A new instance serves each run, so multistep methods keep their history of model outputs here
 * (in {@link History}, released by {@link #close()}).
 */
@FunctionalInterface
public interface UpdateRule extends AutoCloseable {

    /**
     * The state after step {@code i}, from {@code x}, the state before it (in the sampler's own form,
     * see {@link BaseSampler#stateScale}). Runs inside the step's memory scope: everything not
     * returned or kept through {@link Step#keep} is released after the step; {@code x} itself is
     * released when the run moves on, so a rule that needs it later keeps a copy.
     */
    Tensor step(int i, Tensor x, Step step);

    /** Releases the history. */
    @Override
    default void close() {
    }
}
