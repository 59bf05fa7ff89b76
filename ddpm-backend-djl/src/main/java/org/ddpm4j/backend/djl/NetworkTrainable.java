package org.ddpm4j.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.Trainable;
import org.ddpm4j.backend.djl.nn.Network;
import org.ddpm4j.backend.djl.nn.TrainableParameters;
import org.ddpm4j.backend.djl.nn.Weights;

/**
 * A {@link Network} with its {@link TrainableParameters} on a {@link DjlBackend}: checked inputs, a
 * forward pass whose temporaries die with the call, and the skeleton of a training step (record,
 * backward, AdamW). Not thread-safe: one model is used by one thread at a time.
 */
abstract class NetworkTrainable implements Trainable {
    final DjlBackend backend;
    final Network network;
    final TrainableParameters parameters;
    private final NetworkSpec spec;

    /** A network with fresh weights ({@code initial} null) or with {@code initial}'s weights. */
    NetworkTrainable(DjlBackend backend, NetworkSpec spec, Network network, OptimizerSettings optimizer, NamedWeights initial) {
        this.backend = backend;
        this.spec = spec;
        this.network = network;
        this.parameters = initial == null ? new TrainableParameters(network.layout(), backend.newModelManager(), optimizer)
                : loaded(network, backend.newModelManager(), optimizer, initial);
    }

    private static TrainableParameters loaded(Network network, NDManager manager, OptimizerSettings optimizer, NamedWeights initial) {
        boolean gradients = DjlEngine.gradientsOff();
        try {
            return TrainableParameters.withWeights(network.layout(), manager, optimizer, initial);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        } finally {
            DjlEngine.restoreGradients(gradients);
        }
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public long parameterCount() {
        return parameters.size();
    }

    @Override
    public Map<String, HostArray> exportState() {
        return parameters.exportState();
    }

    @Override
    public void importState(Map<String, HostArray> state) {
        boolean gradients = DjlEngine.gradientsOff();
        try {
            parameters.importState(state);
        } finally {
            DjlEngine.restoreGradients(gradients);
        }
    }

    @Override
    public void close() {
        parameters.close();
    }

    /** The array of a batch {@code x} after checking its shape against the network's sample shape and {@code t}. */
    NDArray input(Tensor x, double[] t) {
        ModelInputs.check(x, t, network.sampleShape(), "this " + spec.architecture() + " network");
        return backend.array(x);
    }

    /**
     * {@code result(f(x))} with weights {@code w} and no gradients; the temporaries of the pass are freed
     * before returning, the result lives in the caller's scope.
     */
    Tensor infer(Weights w, NDArray x, double[] t, int[] labels, Function<NDArray, NDArray> result) {
        return withoutGradients(x, () -> result.apply(network.forward(w, x, t, labels, false)));
    }

    /** {@code pass()} with no gradients, its temporaries (and {@code x}) freed, its result in the caller's scope. */
    Tensor withoutGradients(NDArray x, Supplier<NDArray> pass) {
        boolean gradients = DjlEngine.gradientsOff();
        try (NDManager call = backend.manager().newSubManager()) {
            call.tempAttachAll(x);
            return backend.wrap(pass.get());
        } finally {
            DjlEngine.restoreGradients(gradients);
        }
    }

    /**
     * One optimizer step on {@code loss(f(x))} with dropout drawn from {@code stepSeed}; returns the
     * loss before the update, or NaN (and changes nothing) when the loss or its gradient is not finite.
     */
    double train(NDArray x, double[] t, int[] labels, double learningRate, long stepSeed, Function<NDArray, NDArray> loss) {
        return differentiating(x, call -> {
            if (network.stochastic()) {
                DjlEngine.seed(stepSeed);
            }
            float value;
            try (GradientCollector collector = DjlEngine.engine().newGradientCollector()) {
                NDArray l = loss.apply(network.forward(parameters.trainingWeights(), x, t, labels, true));
                collector.backward(l);
                value = l.getFloat();
            }
            if (!Float.isFinite(value)) {
                parameters.clearGradient();
                return Double.NaN;
            }
            return parameters.update(learningRate) ? (double) value : Double.NaN;
        });
    }

    /**
     * Runs {@code body} with a per-call manager holding {@code x} and whatever the body makes, while no
     * other thread differentiates (DJL allows one gradient collector per JVM); the body opens the
     * collector, and gradient recording is off outside it.
     */
    <T> T differentiating(NDArray x, Function<NDManager, T> body) {
        DjlEngine.GRADIENTS.lock();
        boolean gradients = DjlEngine.gradientsOff();
        try (NDManager call = backend.manager().newSubManager()) {
            call.tempAttachAll(x);
            return body.apply(call);
        } finally {
            DjlEngine.restoreGradients(gradients);
            DjlEngine.GRADIENTS.unlock();
        }
    }
}
