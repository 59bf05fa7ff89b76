package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;

/**
 * Checks the EMA of a trainable denoiser step by step against
 * {@code ema_k = d_k ema_{k-1} + (1 - d_k) theta_k} with {@code d_k = settings.emaDecayAt(k)},
 * reading the weights and EMA weights from {@link TrainableDenoiser#exportState()} under the
 * names {@code weights/<p>} and {@code ema/<p>}.
 */
public final class EmaContract {
    private EmaContract() {
    }

    /** Trains {@code steps} steps of a regression to zero on inputs of {@code sampleShape}, checking the EMA after each. */
    public static void assertEmaFollowsItsDecay(TensorBackend backend, TrainableDenoiser model, OptimizerSettings settings,
                                                int[] sampleShape, int steps) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = 4;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Map<String, HostArray> before = model.exportState();
        for (int k = 1; k <= steps; k++) {
            try (TensorScope scope = backend.openScope()) {
                Tensor x = backend.randn(new GaussianNoise(k), shape);
                model.trainStep(new TrainingBatch(x, new double[] {10, 200, 500, 900}, Condition.none(), backend.zeros(shape),
                        new double[] {1, 1, 1, 1}), 1e-2, k);
            }
            Map<String, HostArray> after = model.exportState();
            double d = settings.emaDecayAt(k);
            int checked = 0;
            for (String key : after.keySet()) {
                if (!key.startsWith("weights/")) {
                    continue;
                }
                String name = key.substring("weights/".length());
                float[] previous = before.get("ema/" + name).data();
                float[] theta = after.get(key).data();
                float[] ema = after.get("ema/" + name).data();
                for (int i = 0; i < ema.length; i++) {
                    assertEquals(d * previous[i] + (1 - d) * theta[i], ema[i], 1e-5 + 1e-5 * Math.abs(theta[i]),
                            "ema/" + name + "[" + i + "] after step " + k + " with decay " + d);
                }
                checked++;
            }
            assertTrue(checked > 0, "the state holds weights/<p> and ema/<p>");
            before = after;
        }
    }
}
