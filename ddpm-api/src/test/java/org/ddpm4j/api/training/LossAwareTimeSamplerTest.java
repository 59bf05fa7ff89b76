package org.ddpm4j.api.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.tensor.GaussianNoise;
import org.junit.jupiter.api.Test;

/**
 * The loss-aware importance sampler of Nichol &amp; Dhariwal: uniform until every step has a full
 * history, then {@code p_t ∝ sqrt(E[L_t^2])} mixed with a small uniform share, and weights
 * {@code 1 / (T p_t)} that make the weighted loss an unbiased estimate of the uniform mean.
 */
class LossAwareTimeSamplerTest {
    private static final int T = 8;

    /** A known loss table: L_t = 1 + t^2 (very unequal, as L_vlb's terms are). */
    private static double loss(int t) {
        return 1 + t * t;
    }

    private static LossAwareTimeSampler warmedUp() {
        LossAwareTimeSampler s = new LossAwareTimeSampler(T);
        for (int round = 0; round < LossAwareTimeSampler.HISTORY; round++) {
            for (int t = 0; t < T; t++) {
                s.record(t, loss(t));
            }
        }
        return s;
    }

    @Test
    void itIsUniformUntilEveryStepHasAFullHistory() {
        LossAwareTimeSampler s = new LossAwareTimeSampler(T);
        for (int round = 0; round < LossAwareTimeSampler.HISTORY; round++) {
            for (int t = 0; t < T; t++) {
                if (round == LossAwareTimeSampler.HISTORY - 1 && t == T - 1) {
                    continue;   // one step one value short
                }
                s.record(t, loss(t));
            }
        }
        assertFalse(s.warmedUp());
        double[] weights = new double[100];
        int[] t = s.sample(100, new GaussianNoise(1), weights);
        for (int i = 0; i < t.length; i++) {
            assertEquals(1.0, weights[i], 0, "weights are 1 during the warm-up");
        }
        for (double p : s.probabilities()) {
            assertEquals(1.0 / T, p, 1e-15);
        }
        s.record(T - 1, loss(T - 1));
        assertTrue(s.warmedUp());
    }

    @Test
    void probabilitiesFollowTheRootMeanSquareOfTheHistoryWithAUniformShare() {
        LossAwareTimeSampler s = warmedUp();
        double sum = 0;
        for (int t = 0; t < T; t++) {
            sum += loss(t);
        }
        double[] p = s.probabilities();
        double total = 0;
        for (int t = 0; t < T; t++) {
            double expected = (1 - LossAwareTimeSampler.UNIFORM_SHARE) * loss(t) / sum + LossAwareTimeSampler.UNIFORM_SHARE / T;
            assertEquals(expected, p[t], 1e-12, "p_" + t);
            total += p[t];
        }
        assertEquals(1, total, 1e-12);
        // the oldest value leaves once the history is full: ten new values replace all old ones
        for (int k = 0; k < LossAwareTimeSampler.HISTORY; k++) {
            s.record(0, 1000);
        }
        assertTrue(s.probabilities()[0] > 0.9 * 1000 / (1000 + sum - loss(0)), "p_0 = " + s.probabilities()[0]);
    }

    @Test
    void theWeightedLossIsAnUnbiasedEstimateOfTheUniformMean() {
        LossAwareTimeSampler s = warmedUp();
        double[] p = s.probabilities();
        double uniformMean = 0;
        double exact = 0;
        for (int t = 0; t < T; t++) {
            uniformMean += loss(t) / T;
            exact += p[t] * loss(t) / (T * p[t]);   // E_{t ~ p}[w_t L_t], w_t = 1 / (T p_t)
        }
        assertEquals(uniformMean, exact, 1e-12);
        // and by sampling: the weights the sampler hands out, with a fixed seed
        int n = 200_000;
        double[] weights = new double[n];
        int[] t = s.sample(n, new GaussianNoise(7), weights);
        double estimate = 0;
        int[] counts = new int[T];
        for (int i = 0; i < n; i++) {
            assertEquals(1 / (T * p[t[i]]), weights[i], 1e-12);
            estimate += weights[i] * loss(t[i]) / n;
            counts[t[i]]++;
        }
        assertEquals(uniformMean, estimate, 0.01 * uniformMean, "weighted mean of the sampled losses");
        for (int k = 0; k < T; k++) {
            double expected = n * p[k];
            assertEquals(expected, counts[k], 5 * Math.sqrt(expected) + 1, "draws of t = " + k);
        }
    }
}
