package org.ddpm4j.api.model;

import org.ddpm4j.api.tensor.Tensor;

/**
 * A classifier of noisy data {@code p_phi(y | x_t, t)} (Dhariwal &amp; Nichol 2021), trained on
 * {@code x_t} at random {@code t}. Classifier guidance needs the gradient of its log-probability
 * with respect to the input.
 */
public interface Classifier {

    /** Number of classes; labels are {@code 0 .. numClasses-1}. */
    int numClasses();

    /** Log-probabilities {@code log p_phi(y | x_t, t)}, shape {@code [batch, numClasses]}. */
    Tensor logProbabilities(Tensor x, double[] t);

    /** {@code grad_{x_t} log p_phi(y_i | x_t, t_i)} for each sample i and its label {@code labels[i]}; shape of x. */
    Tensor logProbabilityGradient(Tensor x, double[] t, int[] labels);

    /**
     * The penultimate features {@code phi(x_t, t)}, shape {@code [batch, F]}: the input of the final
     * linear layer that gives the logits. Evaluation metrics compare their statistics between data
     * sets (a Frechet distance on them is the "FID" of a classifier that is not Inception).
     *
     * @throws UnsupportedOperationException when the classifier has no such layer (an analytic one)
     */
    default Tensor features(Tensor x, double[] t) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no penultimate features");
    }
}
