package org.ddpm4j.api.training;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.Tensor;

/**
 * One regression problem of denoising training: inputs {@code (x_t, t, y)}, the target the model
 * should predict, and per-sample loss weights. The loss is
 * {@code mean_i weights[i] * mean_j (f(x_t, t, y)_ij - target_ij)^2}.
 */
public record TrainingBatch(Tensor xt, double[] t, Condition condition, Tensor target, double[] weights) {

    public TrainingBatch {
        int n = xt.batchSize();
        if (t.length != n || weights.length != n || target.batchSize() != n) {
            throw new IllegalArgumentException("inconsistent batch: x_t has " + n + " samples, t " + t.length
                    + ", target " + target.batchSize() + ", weights " + weights.length);
        }
        condition.checkBatch(n);
    }
}
