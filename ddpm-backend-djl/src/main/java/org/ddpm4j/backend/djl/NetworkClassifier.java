package org.ddpm4j.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.backend.djl.nn.Network;

/**
 * A noisy-input classifier {@code p(y | x_t, t) = softmax(logits(x_t, t))_y} trained by
 * cross-entropy; classifier guidance takes {@code grad_{x_t} log p(y | x_t, t)} from libtorch's
 * automatic differentiation. Uses the current weights.
 */
final class NetworkClassifier extends NetworkTrainable implements TrainableClassifier {

    NetworkClassifier(DjlBackend backend, NetworkSpec spec, Network network, OptimizerSettings optimizer) {
        super(backend, spec, network, optimizer, null);
    }

    @Override
    public int numClasses() {
        return network.numClasses();
    }

    @Override
    public Tensor logProbabilities(Tensor x, double[] t) {
        return infer(parameters.weights(), input(x, t), t, null, logits -> logits.logSoftmax(1));
    }

    @Override
    public Tensor features(Tensor x, double[] t) {
        NDArray in = input(x, t);
        return withoutGradients(in, () -> network.features(parameters.weights(), in, t));
    }

    @Override
    public Tensor logProbabilityGradient(Tensor x, double[] t, int[] labels) {
        NDArray in = input(x, t);
        float[] oneHot = oneHot(labels, x.batchSize());
        return differentiating(in, call -> {
            NDArray leaf = in.duplicate();
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = DjlEngine.engine().newGradientCollector()) {
                NDArray logits = network.forward(parameters.weights(), leaf, t, null, false);
                // Samples do not interact, so the gradient of the sum holds each sample's own gradient.
                collector.backward(logits.logSoftmax(1).mul(call.create(oneHot, logits.getShape())).sum());
                return backend.wrap(leaf.getGradient());
            }
        });
    }

    @Override
    public double trainStep(Tensor xt, double[] t, int[] labels, double learningRate, long stepSeed) {
        NDArray in = input(xt, t);
        float[] oneHot = oneHot(labels, xt.batchSize());
        return train(in, t, null, learningRate, stepSeed, logits ->
                logits.logSoftmax(1).mul(logits.getManager().create(oneHot, logits.getShape())).sum(new int[] {1}).mean().neg());
    }

    private float[] oneHot(int[] labels, int n) {
        int k = numClasses();
        if (labels.length != n) {
            throw new InvalidParameterException("labels", labels.length + " labels", "must give one label per sample (" + n + ")");
        }
        float[] oneHot = new float[n * k];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new InvalidParameterException("labels[" + i + "]", labels[i], "must lie in [0, " + (k - 1) + "]");
            }
            oneHot[i * k + labels[i]] = 1f;
        }
        return oneHot;
    }
}
