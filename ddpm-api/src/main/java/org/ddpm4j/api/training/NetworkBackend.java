package org.ddpm4j.api.training;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.TensorBackend;

/** A tensor backend that also builds and trains neural networks (DJL, TensorFlow). */
public interface NetworkBackend extends TensorBackend {

    /** Builds a denoiser network with fresh weights (initialised from {@code optimizer.seed()}). */
    TrainableDenoiser newDenoiser(NetworkSpec spec, OptimizerSettings optimizer);

    /**
     * Builds a denoiser network directly with {@code weights} (every parameter by name, with its
     * exact shape; the EMA starts at them, the optimizer afresh) instead of a random
     * initialisation. This default builds a fresh one and imports all the weights at once; the
     * network backends copy them tensor by tensor into their own memory.
     */
    default TrainableDenoiser newDenoiser(NetworkSpec spec, OptimizerSettings optimizer, NamedWeights weights) {
        Map<String, HostArray> state = new LinkedHashMap<>();
        for (String name : weights.names()) {
            state.put("weights/" + name, weights.read(name));
        }
        TrainableDenoiser denoiser = newDenoiser(spec, optimizer);
        try {
            denoiser.importState(state);
        } catch (RuntimeException e) {
            denoiser.close();
            throw e;
        }
        return denoiser;
    }

    /** Builds a noisy-input classifier with fresh weights. */
    TrainableClassifier newClassifier(NetworkSpec spec, OptimizerSettings optimizer);
}
