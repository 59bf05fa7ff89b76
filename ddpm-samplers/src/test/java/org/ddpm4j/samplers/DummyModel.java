package org.ddpm4j.samplers;

import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.Tensor;

/**
 * diffusers' dummy model of tests/schedulers, {@code model(x, t) = x * t / (t + 1)}, read as a
 * prediction of kind {@code parameterization}. Records every time it is called with.
 */
final class DummyModel implements Denoiser {
    private final Parameterization parameterization;
    private final List<Double> calls = new ArrayList<>();
    /** Divides the next input by this factor, then resets to 1 (emulates diffusers' test loop, see DiffusersFullLoopTest). */
    double nextInputDivisor = 1;

    DummyModel(Parameterization parameterization) {
        this.parameterization = parameterization;
    }

    @Override
    public Parameterization parameterization() {
        return parameterization;
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        calls.add(t[0]);
        double[] factors = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            factors[i] = t[i] / (t[i] + 1) / nextInputDivisor;
        }
        nextInputDivisor = 1;
        return x.mulPerSample(factors);
    }

    List<Double> calls() {
        return calls;
    }

    /** diffusers' {@code dummy_sample_deter} ({@code flip = false}) or {@code dummy_noise_deter} (true): shape [4, 3, 8, 8]. */
    static double[] deterministicSample(boolean flip) {
        int n = 4 * 3 * 8 * 8;
        double[] out = new double[n];
        // arange(n).reshape(3, 8, 8, 4) / n, permuted to (4, 3, 8, 8)
        for (int b = 0; b < 4; b++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 8; h++) {
                    for (int w = 0; w < 8; w++) {
                        int source = ((c * 8 + h) * 8 + w) * 4 + b;
                        int value = flip ? n - 1 - source : source;
                        out[((b * 3 + c) * 8 + h) * 8 + w] = (double) value / n;
                    }
                }
            }
        }
        return out;
    }
}
