package org.ddpm4j.core.training;

/** The loss or the weights became NaN or infinite; no checkpoint was written from the broken state. */
public final class TrainingDivergedException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int step;

    public TrainingDivergedException(String what, int step, String lastGood) {
        super(what + " became NaN or infinite at step " + step + "; nothing was saved from this state"
                + (lastGood == null ? "" : " (last good checkpoint: " + lastGood + ")")
                + ". Try a lower learning rate or stronger gradient clipping.");
        this.step = step;
    }

    /** The 0-based step at which it happened. */
    public int step() {
        return step;
    }
}
