package org.ddpm4j.api.sampling;

/**
 * Called after every step of a sampling run: progress reporting, trajectory capture, live
 * previews. It must not keep the event's tensors beyond the call (copy them to the host instead).
 */
@FunctionalInterface
public interface StepListener {

    /** Does nothing. */
    StepListener NONE = event -> { };

    void onStep(StepEvent event);

    /** This listener, then {@code next}. */
    default StepListener andThen(StepListener next) {
        if (this == NONE) {
            return next;
        }
        if (next == NONE) {
            return this;
        }
        return event -> {
            onStep(event);
            next.onStep(event);
        };
    }
}
