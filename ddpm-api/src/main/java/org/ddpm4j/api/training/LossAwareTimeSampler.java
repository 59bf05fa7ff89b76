package org.ddpm4j.api.training;

import java.util.Arrays;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.tensor.GaussianNoise;

/**
 * Importance sampling of the training step for {@code L_vlb} (Nichol &amp; Dhariwal 2021, eq. 18):
 * {@code L_vlb = E_{t ~ p_t}[L_t / p_t]} with {@code p_t ∝ sqrt(E[L_t^2])}, the second moment
 * estimated from the last {@code history} values of {@code L_t} seen for each {@code t}. Until every
 * step has a full history, {@code t} is uniform (the warm-up); afterwards a small uniform share
 * ({@code uniformShare}, guided-diffusion's 0.001) keeps every step reachable. A sample drawn at
 * {@code t} has the weight {@code 1 / (T p_t)}, so that the weighted mean of the per-sample losses is an
 * unbiased estimate of the uniform mean {@code L_vlb / T}.
 *
 * <p>Not thread-safe; the history is not part of a checkpoint (a resumed run warms up again).
 */
public final class LossAwareTimeSampler {
    /** Losses kept per step (the paper's 10). */
    public static final int HISTORY = 10;
    /** The uniform share mixed into the importance distribution (guided-diffusion's). */
    public static final double UNIFORM_SHARE = 0.001;

    private final int steps;
    private final int history;
    private final double uniformShare;
    private final double[][] losses;
    private final int[] counts;

    /** {@link #HISTORY} losses per step and the uniform share {@link #UNIFORM_SHARE}, over {@code steps} training steps. */
    public LossAwareTimeSampler(int steps) {
        this(steps, HISTORY, UNIFORM_SHARE);
    }

    public LossAwareTimeSampler(int steps, int history, double uniformShare) {
        this.steps = Checks.atLeast("steps", steps, 1);
        this.history = Checks.atLeast("history", history, 1);
        this.uniformShare = Checks.closed("uniform_share", uniformShare, 0, 1);
        this.losses = new double[steps][history];
        this.counts = new int[steps];
    }

    /** Whether every step has a full history (before that, sampling is uniform). */
    public boolean warmedUp() {
        for (int c : counts) {
            if (c < history) {
                return false;
            }
        }
        return true;
    }

    /** {@code p_t} for every step: uniform during the warm-up. */
    public double[] probabilities() {
        double[] p = new double[steps];
        if (!warmedUp()) {
            Arrays.fill(p, 1.0 / steps);
            return p;
        }
        double sum = 0;
        for (int t = 0; t < steps; t++) {
            double squares = 0;
            for (double l : losses[t]) {
                squares += l * l;
            }
            p[t] = Math.sqrt(squares / history);
            sum += p[t];
        }
        for (int t = 0; t < steps; t++) {
            double share = sum > 0 ? p[t] / sum : 1.0 / steps;
            p[t] = (1 - uniformShare) * share + uniformShare / steps;
        }
        return p;
    }

    /**
     * {@code n} steps drawn from {@link #probabilities()} with their weights {@code 1 / (T p_t)}
     * (written into {@code weights}).
     */
    public int[] sample(int n, GaussianNoise noise, double[] weights) {
        if (weights.length != n) {
            throw new IllegalArgumentException(weights.length + " weights for " + n + " samples");
        }
        double[] p = probabilities();
        double[] cumulative = new double[steps];
        double running = 0;
        for (int t = 0; t < steps; t++) {
            running += p[t];
            cumulative[t] = running;
        }
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            double u = noise.nextUniform() * running;
            int k = Arrays.binarySearch(cumulative, u);
            k = k >= 0 ? k + 1 : -k - 1;
            t[i] = Math.min(k, steps - 1);
            weights[i] = 1 / (steps * p[t[i]]);
        }
        return t;
    }

    /** Adds the loss {@code loss} of a sample at step {@code t} to the history (the oldest value goes once full). */
    public void record(int t, double loss) {
        if (t < 0 || t >= steps) {
            throw new IllegalArgumentException("step " + t + " outside [0, " + steps + ")");
        }
        if (!Double.isFinite(loss)) {
            return;
        }
        if (counts[t] == history) {
            System.arraycopy(losses[t], 1, losses[t], 0, history - 1);
            losses[t][history - 1] = loss;
        } else {
            losses[t][counts[t]++] = loss;
        }
    }
}
