package org.ddpm4j.backend.tf;

import java.util.Map;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.Trainable;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** What a denoiser and a classifier share: a {@link TfNetwork} with fresh weights, its state and its loss. */
abstract class TfTrainable implements Trainable {
    protected final TfBackend backend;
    protected final TfNetwork network;

    /** A network with fresh weights ({@code initial} null) or with {@code initial}'s weights. */
    TfTrainable(TfBackend backend, NetworkSpec spec, OptimizerSettings optimizer, Architecture architecture, NamedWeights initial) {
        this.backend = backend;
        this.network = new TfNetwork(backend.settings(), spec, optimizer, architecture, this::loss);
        try {
            if (initial == null) {
                network.initialise(optimizer.seed());
            } else {
                network.initialise(initial);
            }
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** The training loss on the forward pass with dropout; built on the first training step. */
    abstract Operand<TFloat32> loss(Ops tf, Operand<TFloat32> output);

    @Override
    public NetworkSpec spec() {
        return network.spec();
    }

    @Override
    public long parameterCount() {
        return network.parameterCount();
    }

    @Override
    public Map<String, HostArray> exportState() {
        return network.exportState();
    }

    @Override
    public void importState(Map<String, HostArray> state) {
        network.importState(state);
    }

    @Override
    public void close() {
        network.close();
        backend.disown(this);
    }
}
