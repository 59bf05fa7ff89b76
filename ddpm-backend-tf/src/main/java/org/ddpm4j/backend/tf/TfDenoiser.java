package org.ddpm4j.backend.tf;

import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
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
    private final Denoiser ema = new Ema();

    /** Fresh weights ({@code initial} null) or {@code initial}'s. */
    TfDenoiser(TfBackend backend, NetworkSpec spec, OptimizerSettings optimizer, NamedWeights initial) {
        super(backend, spec, optimizer, Architecture.denoiser(spec), initial);
        this.target = network.tf().withName("target").placeholder(TFloat32.class);
        this.weights = network.tf().withName("loss_weights").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    }

    /** {@code mean_i w_i mean_j (out_ij - target_ij)^2}. */
    @Override
    Operand<TFloat32> loss(Ops tf, Operand<TFloat32> out) {
        Operand<TFloat32> squared = tf.math.squaredDifference(out, target);
        Operand<TFloat32> perSample = tf.math.mean(tf.reshape(squared, tf.constant(new long[] {-1, sampleSize(network.spec())})), tf.constant(1));
        return tf.math.mean(tf.math.mul(weights, perSample), tf.constant(0));
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
        return network.trainStep(backend.tensor(batch.xt()), batch.t(), batch.condition(), learningRate, stepSeed,
                run -> run.feed(this.target, target.value()).feedFloats(weights, batch.weights()));
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        return backend.wrap(network.predict(backend.tensor(x), t, condition, false), x.shape());
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
            return backend.wrap(network.predict(backend.tensor(x), t, condition, true), x.shape());
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
