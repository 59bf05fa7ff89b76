package org.ddpm4j.api.training;

import java.util.Arrays;
import java.util.Objects;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;

/**
 * What network a backend should build: an architecture name with its hyper-parameters, the shape
 * of one sample, the number of classes (0 for an unconditional model; a class-conditional model has
 * an extra "null" class embedding for classifier-free guidance) and what the network predicts.
 * Architectures and their hyper-parameters are specified in {@code docs/NETWORKS.md}, identically
 * for every backend, so that weights move between backends by parameter name.
 *
 * @param architecture    {@code mlp}, {@code unet} or {@code classifier}
 * @param sampleShape     shape of one sample: {@code [d]} for points, {@code [C, H, W]} for images
 * @param numClasses      number of class labels (0: unconditional)
 * @param parameterization what the network predicts (ignored by classifiers)
 * @param hyperparameters architecture options (widths, depths, dropout, ...)
 */
public record NetworkSpec(String architecture, int[] sampleShape, int numClasses,
                          Parameterization parameterization, Parameters hyperparameters) {

    public NetworkSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(parameterization, "parameterization");
        Objects.requireNonNull(hyperparameters, "hyperparameters");
        sampleShape = sampleShape.clone();
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0, was " + numClasses);
        }
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkSpec s && architecture.equals(s.architecture) && Arrays.equals(sampleShape, s.sampleShape)
                && numClasses == s.numClasses && parameterization == s.parameterization
                && hyperparameters.asMap().equals(s.hyperparameters.asMap());
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, Arrays.hashCode(sampleShape), numClasses, parameterization, hyperparameters.asMap());
    }

    @Override
    public String toString() {
        return architecture + Arrays.toString(sampleShape) + " classes=" + numClasses + " predicts=" + parameterization
                + " " + hyperparameters;
    }
}
