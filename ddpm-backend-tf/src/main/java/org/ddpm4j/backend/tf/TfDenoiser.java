package org.ddpm4j.backend.tf;

import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.ddpm4j.api.training.VariationalLoss;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A denoiser network ({@code mlp} or {@code unet}) trained by weighted-MSE regression:
 * {@code L = mean_i w_i mean_j (f(x_t)_ij - target_ij)^2}.
 */
final class TfDenoiser extends TfTrainable implements TrainableDenoiser {
    private final Placeholder<TFloat32> target;
    private final Placeholder<TFloat32> weights;
    private final VariationalTerms variational;
    private final Denoiser ema = new Ema();

    /** Fresh weights ({@code initial} null) or {@code initial}'s. */
    TfDenoiser(TfBackend backend, NetworkSpec spec, OptimizerSettings optimizer, NamedWeights initial) {
        super(backend, spec, optimizer, Architecture.denoiser(spec), initial);
        this.target = network.tf().withName("target").placeholder(TFloat32.class);
        this.weights = network.tf().withName("loss_weights").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
        this.variational = spec.varianceOutput() == VarianceOutput.NONE ? null : new VariationalTerms(network.tf(), spec.sampleShape());
    }

    /**
     * {@code mean_i w_i mean_j (out_ij - target_ij)^2}; with a variance output the regression sees the
     * prediction half and the variational terms ({@link VariationalLoss}) are added.
     */
    @Override
    Operand<TFloat32> loss(Ops tf, Operand<TFloat32> out) {
        Operand<TFloat32> prediction = out;
        Operand<TFloat32> v = null;
        if (variational != null) {
            var halves = tf.split(tf.constant(1), out, 2L).output();
            prediction = halves.get(0);
            v = halves.get(1);
        }
        Operand<TFloat32> squared = tf.math.squaredDifference(prediction, target);
        Operand<TFloat32> perSample = tf.math.mean(tf.reshape(squared, tf.constant(new long[] {-1, sampleSize(network.spec())})), tf.constant(1));
        Operand<TFloat32> loss = tf.math.mul(weights, perSample);
        if (variational != null) {
            loss = tf.math.add(loss, variational.weighted(prediction, v, target));
        }
        return tf.math.mean(loss, tf.constant(0));
    }

    private static long sampleSize(NetworkSpec spec) {
        long n = 1;
        for (int s : spec.sampleShape()) {
            n *= s;
        }
        return n;
    }

    @Override
    public double trainStep(TrainingBatch batch, double learningRate, long stepSeed) {
        TfTensor target = backend.tensor(batch.target());
        if (varianceOutput() == VarianceOutput.LEARNED) {
            throw new InvalidParameterException("variance_output", "learned", "trains as learned_range only (the interpolation v); "
                    + "a model whose variance channels are sigma^2 itself samples but does not train");
        }
        boolean learned = variational != null;
        if (learned != (batch.vlb() != null)) {
            throw new InvalidParameterException("loss", learned ? "simple" : "hybrid/vlb", learned
                    ? "a network with a learned variance (variance output " + varianceOutput().key() + ") trains with the hybrid or vlb loss"
                    : "the variational bound trains a variance output; this network has none (variance output none)");
        }
        VariationalLoss vlb = batch.vlb();
        TfTensor edges = vlb != null && vlb.edges() != null ? backend.tensor(vlb.edges()) : null;
        return network.trainStep(backend.tensor(batch.xt()), batch.t(), batch.condition(), learningRate, stepSeed,
                run -> {
                    Run r = run.feed(this.target, target.value()).feedFloats(weights, batch.weights());
                    return vlb == null ? r : variational.feed(r, vlb, edges);
                },
                run -> {
                    if (vlb != null) {
                        float[] terms = run.floats(1);
                        for (int i = 0; i < terms.length; i++) {
                            vlb.terms()[i] = terms[i];
                        }
                    }
                });
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        return backend.wrap(network.predict(backend.tensor(x), t, condition, false), outputShape(x));
    }

    @Override
    public VarianceOutput varianceOutput() {
        return network.spec().varianceOutput();
    }

    /** The shape of the output for {@code x}: its own, the channels doubled with a variance output. */
    private int[] outputShape(Tensor x) {
        int[] shape = x.shape().clone();
        if (varianceOutput() != VarianceOutput.NONE) {
            shape[1] *= 2;
        }
        return shape;
    }

    @Override
    public Denoiser ema() {
        return ema;
    }

    @Override
    public Parameterization parameterization() {
        return network.spec().parameterization();
    }

    @Override
    public int numClasses() {
        return network.spec().numClasses();
    }

    @Override
    public Optional<int[]> sampleShape() {
        return Optional.of(network.spec().sampleShape());
    }

    /** The same network with its EMA weights. */
    private final class Ema implements Denoiser {
        @Override
        public Parameterization parameterization() {
            return TfDenoiser.this.parameterization();
        }

        @Override
        public Tensor predict(Tensor x, double[] t, Condition condition) {
            return backend.wrap(network.predict(backend.tensor(x), t, condition, true), outputShape(x));
        }

        @Override
        public VarianceOutput varianceOutput() {
            return TfDenoiser.this.varianceOutput();
        }

        @Override
        public int numClasses() {
            return TfDenoiser.this.numClasses();
        }

        @Override
        public Optional<int[]> sampleShape() {
            return TfDenoiser.this.sampleShape();
        }
    }
}
