package org.ddpm4j.backend.tf;

import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A noisy-input classifier {@code p(y | x_t, t) = softmax(logits)}, trained by cross-entropy, with
 * the gradient {@code grad_x log p(y | x_t, t)} of classifier guidance taken by TensorFlow's graph
 * differentiation with respect to the input. Inference uses the current weights.
 */
final class TfClassifier extends TfTrainable implements TrainableClassifier {
    private final Placeholder<TInt32> classes;
    private final Operand<TFloat32> logProbabilities;
    private Operand<TFloat32> inputGradient;

    TfClassifier(TfBackend backend, NetworkSpec spec, OptimizerSettings optimizer) {
        super(backend, spec, optimizer, Architecture.classifier(spec), null);
        Ops tf = network.tf();
        this.classes = tf.withName("classes").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        this.logProbabilities = tf.nn.logSoftmax(network.output());
    }

    /** The mean cross-entropy {@code -mean_i log p(y_i | x_i, t_i)}. */
    @Override
    Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits) {
        Operand<TFloat32> selected = tf.math.mul(oneHot(tf), tf.nn.logSoftmax(logits));
        return tf.math.neg(tf.math.mean(tf.reduceSum(selected, tf.constant(1)), tf.constant(0)));
    }

    /** {@code d/dx sum_i log p(y_i | x_i, t_i)}: each sample's gradient, as the samples are independent. */
    private synchronized Operand<TFloat32> inputGradient() {
        if (inputGradient == null) {
            Ops tf = network.tf();
            Operand<TFloat32> selected = tf.reduceSum(tf.math.mul(oneHot(tf), logProbabilities), tf.constant(new int[] {0, 1}));
            inputGradient = tf.gradients(selected, List.of(network.input())).<TFloat32>dy(0);
        }
        return inputGradient;
    }

    private Operand<TFloat32> oneHot(Ops tf) {
        return tf.oneHot(classes, tf.constant(numClasses()), tf.constant(1f), tf.constant(0f));
    }

    @Override
    public int numClasses() {
        return network.spec().numClasses();
    }

    @Override
    public Tensor logProbabilities(Tensor x, double[] t) {
        TFloat32 out = network.evaluate(logProbabilities, backend.tensor(x), t, run -> run);
        return backend.wrap(out, new int[] {x.batchSize(), numClasses()});
    }

    @Override
    public Tensor features(Tensor x, double[] t) {
        TFloat32 out = network.evaluate(network.features(), backend.tensor(x), t, run -> run);
        return backend.wrap(out, new int[] {x.batchSize(), (int) out.shape().get(1)});
    }

    @Override
    public Tensor logProbabilityGradient(Tensor x, double[] t, int[] labels) {
        int[] y = check(labels, x.batchSize());
        return backend.wrap(network.evaluate(inputGradient(), backend.tensor(x), t, run -> run.feed(classes, y)), x.shape());
    }

    @Override
    public double trainStep(Tensor xt, double[] t, int[] labels, double learningRate, long stepSeed) {
        int[] y = check(labels, xt.batchSize());
        return network.trainStep(backend.tensor(xt), t, Condition.none(), learningRate, stepSeed, run -> run.feed(classes, y));
    }

    private int[] check(int[] labels, int batch) {
        if (labels.length != batch) {
            throw new InvalidParameterException("labels", labels.length + " labels", "needs one label per sample (" + batch + ")");
        }
        for (int label : labels) {
            if (label < 0 || label >= numClasses()) {
                throw new InvalidParameterException("labels", label, "must lie in [0, " + numClasses() + ")");
            }
        }
        return labels.clone();
    }
}
