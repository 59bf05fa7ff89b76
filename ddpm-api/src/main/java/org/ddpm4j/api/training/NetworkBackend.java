package org.ddpm4j.api.training;

import org.ddpm4j.api.tensor.TensorBackend;

/** A tensor backend that also builds and trains neural networks (DJL, TensorFlow). */
public interface NetworkBackend extends TensorBackend {

    /** Builds a denoiser network with fresh weights (initialised from {@code optimizer.seed()}). */
    TrainableDenoiser newDenoiser(NetworkSpec spec, OptimizerSettings optimizer);

    /** Builds a noisy-input classifier with fresh weights. */
    TrainableClassifier newClassifier(NetworkSpec spec, OptimizerSettings optimizer);
}
