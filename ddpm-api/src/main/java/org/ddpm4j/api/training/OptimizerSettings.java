package org.ddpm4j.api.training;

import org.ddpm4j.api.Checks;

/**
 * AdamW (Loshchilov &amp; Hutter) with gradient-norm clipping and an exponential moving average of
 * the weights, {@code theta_ema <- d_k theta_ema + (1 - d_k) theta} after step k (sampling uses the
 * EMA weights), by default with the warmed-up decay {@code d_k = min(decay, (1 + k) / (10 + k))}:
 * without the warm-up a decay of 0.999 keeps {@code 0.999^k} of the random initial weights, a third
 * after 1000 steps. The learning rate is not here: the training loop passes it to every step
 * (warm-up, decay).
 *
 * @param beta1            Adam's first-moment decay
 * @param beta2            Adam's second-moment decay
 * @param epsilon          Adam's denominator offset
 * @param weightDecay      decoupled weight decay (0: plain Adam)
 * @param gradientClipNorm global L2 norm the gradient is clipped to (0: no clipping)
 * @param emaDecay         EMA decay in [0, 1) (0: EMA equals the weights)
 * @param emaWarmup        warm the EMA decay up as {@code min(decay, (1 + k) / (10 + k))} (false: constant decay)
 * @param seed             seed of the weight initialisation
 */
public record OptimizerSettings(double beta1, double beta2, double epsilon, double weightDecay,
                                double gradientClipNorm, double emaDecay, boolean emaWarmup, long seed) {

    public OptimizerSettings {
        Checks.closed("beta1", beta1, 0, 0.999999);
        Checks.closed("beta2", beta2, 0, 0.999999999);
        Checks.positive("epsilon", epsilon);
        Checks.nonNegative("weight_decay", weightDecay);
        Checks.nonNegative("grad_clip", gradientClipNorm);
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new org.ddpm4j.api.InvalidParameterException("ema_decay", emaDecay, "must lie in [0, 1)");
        }
    }

    /** Adam(0.9, 0.999, 1e-8), no weight decay, clipping at norm 1, EMA decay 0.999 warmed up, seed 0. */
    public static OptimizerSettings defaults() {
        return new OptimizerSettings(0.9, 0.999, 1e-8, 0.0, 1.0, 0.999, true, 0L);
    }

    /** The EMA decay {@code d_k} of the update after optimizer step {@code k >= 1}. */
    public double emaDecayAt(long step) {
        return emaWarmup ? Math.min(emaDecay, (1.0 + step) / (10.0 + step)) : emaDecay;
    }

    public OptimizerSettings withEmaWarmup(boolean warmup) {
        return new OptimizerSettings(beta1, beta2, epsilon, weightDecay, gradientClipNorm, emaDecay, warmup, seed);
    }

    public OptimizerSettings withSeed(long seed) {
        return new OptimizerSettings(beta1, beta2, epsilon, weightDecay, gradientClipNorm, emaDecay, emaWarmup, seed);
    }

    public OptimizerSettings withEmaDecay(double decay) {
        return new OptimizerSettings(beta1, beta2, epsilon, weightDecay, gradientClipNorm, decay, emaWarmup, seed);
    }

    public OptimizerSettings withWeightDecay(double decay) {
        return new OptimizerSettings(beta1, beta2, epsilon, decay, gradientClipNorm, emaDecay, emaWarmup, seed);
    }

    public OptimizerSettings withGradientClipNorm(double norm) {
        return new OptimizerSettings(beta1, beta2, epsilon, weightDecay, norm, emaDecay, emaWarmup, seed);
    }
}
