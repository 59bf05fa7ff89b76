package org.ddpm4j.api.training;

import java.util.Objects;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The {@code L_vlb} part of a training batch for a network with a learned variance (Nichol &amp;
 * Dhariwal 2021, section 3), prepared on the host by the {@link Objective} so that every backend
 * computes it with a few differentiable operations of its own. Sample {@code i} was noised to
 * training step {@code t_i}; the network outputs its prediction {@code p} and the interpolation
 * {@code v} ({@link org.ddpm4j.api.model.VarianceOutput#LEARNED_RANGE}). Per coordinate:
 * <pre>
 *   log s^2 = (1 + v)/2 logLarge_i + (1 - v)/2 logSmall_i             the reverse variance
 *   d       = meanScale_i (p' - target)                               mean difference; p' = stop_gradient(p) when stopGradient
 *   t_i > 0:  KL(q(x_{t-1} | x_t, x_0) || N(mu_theta, s^2))
 *             = 0.5 (log s^2 - logPosterior_i + exp(logPosterior_i - log s^2) + d^2 exp(-log s^2) - 1)
 *   t_i = 0:  -log p(x_0 | x_1), d = x_0 - mu_theta:
 *             DISCRETIZED  -log(Phi((d + 1/255) / s) - Phi((d - 1/255) / s)), the lower (upper) bin open where
 *                          edges is -1 (+1): x_0 is the smallest (largest) 8-bit value; probabilities floored at 1e-12
 *             GAUSSIAN     0.5 (log 2 pi + log s^2 + d^2 exp(-log s^2))
 *   term_i  = mean over coordinates / ln 2                            (bits per dimension)
 * </pre>
 * and the loss of the whole batch is {@code mean_i (w_i mse_i + weights_i term_i)}, with
 * {@code mse_i} the regression loss of the prediction half and {@code w_i} the batch's own weights.
 * The stop-gradient (the hybrid objective) lets {@code L_vlb} train the variance only, so that
 * {@code L_simple} alone guides the mean.
 *
 * @param meanScale    per sample: the posterior mean's coefficient of {@code x_0} times the map from the
 *                     prediction error to the {@code x_0} error (signed: at {@code t = 0}, {@code x_0 - mu_theta = d})
 * @param logSmall     per sample: {@code log betaTilde_t} (at {@code t = 0}: {@code log betaTilde_1}, guided-diffusion's clipped value)
 * @param logLarge     per sample: {@code log beta_t}
 * @param logPosterior per sample: the log-variance of {@code q(x_{t-1} | x_t, x_0)} (unused at {@code t = 0})
 * @param decoderTerm  per sample: whether term {@code i} is the decoder's ({@code t_i = 0}) rather than a KL
 * @param decoder      the decoder {@code p(x_0 | x_1)}
 * @param edges        shape of {@code x_t}: -1 / +1 where {@code x_0} is at the lowest / highest 8-bit value, else 0
 *                     (null for the Gaussian decoder)
 * @param weights      per sample: the weight of {@code term_i} in the loss
 * @param stopGradient whether the mean difference is a constant for the gradient (hybrid objective)
 * @param terms        per sample, written by the backend during the step: {@code term_i} (bits per dimension),
 *                     the history of the importance sampler
 */
public record VariationalLoss(double[] meanScale, double[] logSmall, double[] logLarge, double[] logPosterior,
                              boolean[] decoderTerm, Decoder decoder, Tensor edges, double[] weights, boolean stopGradient,
                              double[] terms) {

    /** Half the width of an 8-bit bin of data scaled to {@code [-1, 1]}. */
    public static final double HALF_BIN = 1.0 / 255;
    /** {@code |x_0|} beyond which a coordinate sits in an open edge bin (guided-diffusion's 0.999). */
    public static final double EDGE = 0.999;
    /** The floor of a bin probability before its log (guided-diffusion's). */
    public static final double MIN_PROBABILITY = 1e-12;

    /** The decoder {@code p_theta(x_0 | x_1)}. */
    public enum Decoder {
        /** Ho et al. eq. 13: the probability of the 8-bit bin of each coordinate, for images in {@code [-1, 1]}. */
        DISCRETIZED,
        /** A Gaussian density, for continuous data (points). */
        GAUSSIAN
    }

    public VariationalLoss {
        int n = meanScale.length;
        if (logSmall.length != n || logLarge.length != n || logPosterior.length != n || decoderTerm.length != n || weights.length != n
                || terms.length != n) {
            throw new IllegalArgumentException("inconsistent variational loss: every per-sample array needs " + n + " values");
        }
        Objects.requireNonNull(decoder, "decoder");
        if ((decoder == Decoder.DISCRETIZED) != (edges != null)) {
            throw new IllegalArgumentException("the edges are given exactly for the discretized decoder");
        }
    }

    /** The number of samples. */
    public int size() {
        return meanScale.length;
    }
}
