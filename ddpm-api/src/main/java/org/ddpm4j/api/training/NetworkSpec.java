package org.ddpm4j.api.training;

import java.util.Arrays;
import java.util.Objects;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;

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
 * @param varianceOutput  what a denoiser outputs besides its prediction: {@link VarianceOutput#NONE}, or
 *                        {@link VarianceOutput#LEARNED_RANGE} for twice the input's channels (Nichol &amp; Dhariwal's
 *                        interpolation {@code v} after the prediction); classifiers have none
 */
public record NetworkSpec(String architecture, int[] sampleShape, int numClasses,
                          Parameterization parameterization, Parameters hyperparameters, VarianceOutput varianceOutput) {

    public NetworkSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(parameterization, "parameterization");
        Objects.requireNonNull(hyperparameters, "hyperparameters");
        Objects.requireNonNull(varianceOutput, "varianceOutput");
        sampleShape = sampleShape.clone();
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0, was " + numClasses);
        }
    }

    /** A network without a variance output. */
    public NetworkSpec(String architecture, int[] sampleShape, int numClasses, Parameterization parameterization, Parameters hyperparameters) {
        this(architecture, sampleShape, numClasses, parameterization, hyperparameters, VarianceOutput.NONE);
    }

    /** This network with {@code output} besides its prediction. */
    public NetworkSpec withVarianceOutput(VarianceOutput output) {
        return new NetworkSpec(architecture, sampleShape, numClasses, parameterization, hyperparameters, output);
    }

    /** The channels (images: dimension 0 of the sample shape; points: its length) the denoiser outputs: doubled with a variance output. */
    public int outputChannels() {
        return (varianceOutput == VarianceOutput.NONE ? 1 : 2) * sampleShape[0];
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkSpec s && architecture.equals(s.architecture) && Arrays.equals(sampleShape, s.sampleShape)
                && numClasses == s.numClasses && parameterization == s.parameterization
                && hyperparameters.asMap().equals(s.hyperparameters.asMap()) && varianceOutput == s.varianceOutput;
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, Arrays.hashCode(sampleShape), numClasses, parameterization, hyperparameters.asMap(), varianceOutput);
    }

    @Override
    public String toString() {
        return architecture + Arrays.toString(sampleShape) + " classes=" + numClasses + " predicts=" + parameterization
                + (varianceOutput == VarianceOutput.NONE ? "" : " variance=" + varianceOutput.key()) + " " + hyperparameters;
    }
}
