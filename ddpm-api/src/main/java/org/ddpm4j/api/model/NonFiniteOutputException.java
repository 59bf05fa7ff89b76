package org.ddpm4j.api.model;

/**
 * A model produced NaN or infinite values. Carries the sampler step and model time at which it
 * first happened, so that a diverging run can be diagnosed.
 */
public class NonFiniteOutputException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int step;
    private final double time;

    public NonFiniteOutputException(String what, int step, double time) {
        super(what + " contains NaN or infinite values at step " + step + " (t = " + time + ")");
        this.step = step;
        this.time = time;
    }

    /** The 0-based step at which the values appeared. */
    public int step() {
        return step;
    }

    /** The model time of that step. */
    public double time() {
        return time;
    }
}
