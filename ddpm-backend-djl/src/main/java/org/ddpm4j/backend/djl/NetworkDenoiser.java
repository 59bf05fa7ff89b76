package org.ddpm4j.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.ddpm4j.api.training.VariationalLoss;
import org.ddpm4j.backend.djl.nn.Network;
import org.ddpm4j.backend.djl.nn.Weights;

/**
 * A denoiser network ({@code mlp} or {@code unet}) trained by weighted-MSE regression:
 * {@code L = mean_i w_i mean_j (f(x_t, t, y)_ij - target_ij)^2}. {@link #predict} uses the current
 * weights, {@link #ema()} the EMA weights.
 */
final class NetworkDenoiser extends NetworkTrainable implements TrainableDenoiser {
    private final Denoiser ema = new View(true);
    private final Denoiser current = new View(false);

    /** Fresh weights ({@code initial} null) or {@code initial}'s. */
    NetworkDenoiser(DjlBackend backend, NetworkSpec spec, Network network, OptimizerSettings optimizer, NamedWeights initial) {
        super(backend, spec, network, optimizer, initial);
    }

    @Override
    public Parameterization parameterization() {
        return spec().parameterization();
    }

    @Override
    public int numClasses() {
        return network.conditional() ? network.numClasses() : 0;
    }

    @Override
    public VarianceOutput varianceOutput() {
        return spec().varianceOutput();
    }

    @Override
    public Optional<int[]> sampleShape() {
        return Optional.of(network.sampleShape());
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        return current.predict(x, t, condition);
    }

    @Override
    public Denoiser ema() {
        return ema;
    }

    @Override
    public double trainStep(TrainingBatch batch, double learningRate, long stepSeed) {
        NDArray x = input(batch.xt(), batch.t());
        NDArray target = backend.array(batch.target());
        if (!Arrays.equals(batch.target().shape(), batch.xt().shape())) {
            throw new InvalidParameterException("target", Tensor.describe(batch.target().shape()), "must have the shape of x_t "
                    + Tensor.describe(batch.xt().shape()));
        }
        int n = batch.xt().batchSize();
        VariationalLoss vlb = checkVariational(batch);
        NDArray edges = vlb != null && vlb.edges() != null ? backend.array(vlb.edges()) : null;
        return train(x, batch.t(), labels(batch.condition(), n), learningRate, stepSeed, out -> {
            NDManager m = out.getManager();
            NDArray prediction = vlb == null ? out : out.get(":, 0:" + channels());
            NDArray perSample = prediction.sub(target).square().reshape(n, -1).mean(new int[] {1});
            NDArray loss = perSample.mul(m.create(floats(batch.weights())));
            if (vlb != null) {
                NDArray terms = VariationalTerms.perSample(prediction, out.get(":, " + channels() + ":"), target, edges, vlb);
                loss = loss.add(terms.mul(m.create(floats(vlb.weights()))));
                float[] values = terms.toFloatArray();
                for (int i = 0; i < n; i++) {
                    vlb.terms()[i] = values[i];
                }
            }
            return loss.mean();
        });
    }

    /** The prediction's channels: dimension 1 of x. */
    private int channels() {
        return network.sampleShape()[0];
    }

    /** The variational part of {@code batch}: required exactly for a network with a variance output. */
    private VariationalLoss checkVariational(TrainingBatch batch) {
        if (varianceOutput() == VarianceOutput.LEARNED) {
            throw new InvalidParameterException("variance_output", "learned", "trains as learned_range only (the interpolation v); "
                    + "a model whose variance channels are sigma^2 itself samples but does not train");
        }
        boolean learned = varianceOutput() != VarianceOutput.NONE;
        if (learned != (batch.vlb() != null)) {
            throw new InvalidParameterException("loss", learned ? "simple" : "hybrid/vlb", learned
                    ? "a network with a learned variance (variance output " + varianceOutput().key() + ") trains with the hybrid or vlb loss"
                    : "the variational bound trains a variance output; this network has none (variance output none)");
        }
        return batch.vlb();
    }

    private static float[] floats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** The labels the network takes: one per sample for a class-conditional network, none otherwise. */
    private int[] labels(Condition condition, int n) {
        int[] labels = ModelInputs.labels(condition, n, numClasses(), "this denoiser");
        return numClasses() == 0 ? null : labels;
    }

    /** The network with either weights, as a {@link Denoiser}. */
    private final class View implements Denoiser {
        private final boolean useEma;

        View(boolean useEma) {
            this.useEma = useEma;
        }

        @Override
        public Parameterization parameterization() {
            return NetworkDenoiser.this.parameterization();
        }

        @Override
        public Tensor predict(Tensor x, double[] t, Condition condition) {
            Weights w = useEma ? parameters.ema() : parameters.weights();
            return infer(w, input(x, t), t, labels(condition, x.batchSize()), out -> out);
        }

        @Override
        public int numClasses() {
            return NetworkDenoiser.this.numClasses();
        }

        @Override
        public VarianceOutput varianceOutput() {
            return NetworkDenoiser.this.varianceOutput();
        }

        @Override
        public Optional<int[]> sampleShape() {
            return NetworkDenoiser.this.sampleShape();
        }
    }
}
