package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;

/**
 * A network of {@code docs/NETWORKS.md} as a pure function of its weights: {@code f(x, t, y)}.
 * It holds no arrays itself; the weights come from a {@link TrainableParameters} in the layout the
 * network declares.
 */
public interface Network {

    /** The names, shapes and initial values of the parameters. */
    ParameterLayout layout();

    /** Shape of one input sample, e.g. {@code [2]} or {@code [1, 28, 28]}. */
    int[] sampleShape();

    /** Number of classes of the class embedding (denoisers) or of the outputs (classifiers). */
    int numClasses();

    /** True when the network takes a class label (a denoiser with a class embedding). */
    boolean conditional();

    /** True when {@code training} changes the output (dropout). */
    boolean stochastic();

    /**
     * The output for inputs {@code x [N, ...]} at times {@code t} with class labels {@code labels}
     * ({@code -1} for the null class; null when the network takes none). Dropout is active only when
     * {@code training}.
     */
    NDArray forward(Weights w, NDArray x, double[] t, int[] labels, boolean training);

    /** A classifier's penultimate features {@code [N, F]}: the input of its linear layer {@code "head"}. */
    NDArray features(Weights w, NDArray x, double[] t);
}
