package org.ddpm4j.api.training;

import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.tensor.Tensor;

/** A noisy-input classifier {@code p_phi(y | x_t, t)} that learns by cross-entropy. */
public interface TrainableClassifier extends Classifier, Trainable {

    /**
     * One optimizer step on the mean cross-entropy {@code -log p_phi(labels[i] | x_t[i], t[i])}.
     *
     * @return the loss before the update
     */
    double trainStep(Tensor xt, double[] t, int[] labels, double learningRate, long stepSeed);
}
