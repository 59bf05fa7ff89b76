package org.ddpm4j.core.training;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;

/**
 * The smallest trainable denoiser: its prediction is a learned constant vector {@code b}, fitted
 * by gradient descent on the weighted MSE (gradient computed by hand). Enough to exercise the
 * training loop, checkpoints and resume without a native backend.
 */
class BiasDenoiser implements TrainableDenoiser {
    private final NetworkSpec spec;
    private float[] bias;
    private float[] ema;
    private int step;
    int failAtStep = -1;

    BiasDenoiser(int dimension, Parameterization parameterization) {
        this.spec = new NetworkSpec("bias", new int[] {dimension}, 0, parameterization, Parameters.empty());
        this.bias = new float[dimension];
        this.ema = new float[dimension];
    }

    @Override
    public double trainStep(TrainingBatch batch, double learningRate, long stepSeed) {
        double[] target = batch.target().toDoubleArray();
        int n = batch.xt().batchSize();
        int d = bias.length;
        double loss = 0;
        double[] grad = new double[d];
        double weights = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double r = bias[j] - target[i * d + j];
                loss += batch.weights()[i] * r * r / d;
                grad[j] += 2 * batch.weights()[i] * r / d;
            }
            weights += 1;
        }
        for (int j = 0; j < d; j++) {
            bias[j] -= (float) (learningRate * grad[j] / weights);
            ema[j] = 0.9f * ema[j] + 0.1f * bias[j];
        }
        step++;
        return step == failAtStep ? Double.NaN : loss / n;
    }

    float[] bias() {
        return bias.clone();
    }

    @Override
    public Denoiser ema() {
        return this;
    }

    @Override
    public Parameterization parameterization() {
        return spec.parameterization();
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        float[] out = new float[x.batchSize() * bias.length];
        for (int i = 0; i < x.batchSize(); i++) {
            System.arraycopy(bias, 0, out, i * bias.length, bias.length);
        }
        return x.backend().fromHost(out, x.shape());
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public long parameterCount() {
        return bias.length;
    }

    @Override
    public Map<String, HostArray> exportState() {
        Map<String, HostArray> m = new LinkedHashMap<>();
        m.put("weights/bias", new HostArray(new int[] {bias.length}, bias.clone()));
        m.put("ema/bias", new HostArray(new int[] {bias.length}, ema.clone()));
        m.put("adam_step", HostArray.scalar(step));
        return m;
    }

    @Override
    public void importState(Map<String, HostArray> state) {
        HostArray w = state.get("weights/bias");
        if (w == null || w.data().length != bias.length) {
            throw new InvalidParameterException("state", state.keySet(), "needs weights/bias of shape [" + bias.length + "]");
        }
        bias = w.data().clone();
        ema = state.containsKey("ema/bias") ? state.get("ema/bias").data().clone() : bias.clone();
        step = state.containsKey("adam_step") ? (int) state.get("adam_step").data()[0] : 0;
    }

    @Override
    public void close() {
    }
}
