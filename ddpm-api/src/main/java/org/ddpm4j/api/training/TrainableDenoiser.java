package org.ddpm4j.api.training;

import org.ddpm4j.api.model.Denoiser;

/**
 * A denoiser network that learns by weighted-MSE regression on {@link TrainingBatch}es made by the
 * {@link Objective}. {@link #predict} uses the current weights (in inference mode, no dropout);
 * {@link #ema()} the EMA weights, which sampling should use.
 */
public interface TrainableDenoiser extends Denoiser, Trainable {

    /**
     * One optimizer step on {@code mean_i w_i mean_j (f(x_t)_ij - target_ij)^2}: forward, backward,
     * gradient clipping, AdamW update with {@code learningRate}, EMA update. Dropout (if any) draws
     * its randomness from {@code stepSeed} only, so that a resumed run repeats an uninterrupted one.
     *
     * @return the loss before the update
     */
    double trainStep(TrainingBatch batch, double learningRate, long stepSeed);

    /** The same network with its EMA weights (a live view: it follows training). */
    Denoiser ema();
}
