package org.ddpm4j.examples.metrics;

/**
 * An exponential moving average with Adam's bias correction, so that the first values are not
 * pulled towards zero: a readable version of a noisy series such as a training loss.
 */
public final class RunningAverage {
    private final double beta;
    private double average;
    private int count;

    /** An average that forgets with factor {@code beta} in [0, 1) per value (0.98: about the last 50 values). */
    public RunningAverage(double beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1), was " + beta);
        }
        this.beta = beta;
    }

    /** Adds {@code value} and returns the bias-corrected average so far. */
    public double add(double value) {
        count++;
        average = beta * average + (1 - beta) * value;
        return average / (1 - Math.pow(beta, count));
    }
}
