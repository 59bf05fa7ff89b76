package org.ddpm4j.api.training;

import java.util.Optional;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.Tensor;

/**
 * One regression problem of denoising training: inputs {@code (x_t, t, y)}, the target the model
 * should predict, and per-sample loss weights. The loss is
 * {@code mean_i weights[i] * mean_j (f(x_t, t, y)_ij - target_ij)^2}, plus, for a network with a
 * learned variance, the variational part {@code vlb} (see {@link VariationalLoss}; null otherwise).
 */
public record TrainingBatch(Tensor xt, double[] t, Condition condition, Tensor target, double[] weights, VariationalLoss vlb) {

    public TrainingBatch {
        int n = xt.batchSize();
        if (t.length != n || weights.length != n || target.batchSize() != n) {
            throw new IllegalArgumentException("inconsistent batch: x_t has " + n + " samples, t " + t.length
                    + ", target " + target.batchSize() + ", weights " + weights.length);
        }
        if (vlb != null && vlb.size() != n) {
            throw new IllegalArgumentException("inconsistent batch: x_t has " + n + " samples, the variational loss " + vlb.size());
        }
        condition.checkBatch(n);
    }

    /** A regression batch without a variational part. */
    public TrainingBatch(Tensor xt, double[] t, Condition condition, Tensor target, double[] weights) {
        this(xt, t, condition, target, weights, null);
    }

    /** The variational part, present for the hybrid and {@code L_vlb} objectives. */
    public Optional<VariationalLoss> variational() {
        return Optional.ofNullable(vlb);
    }
}
