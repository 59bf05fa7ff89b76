package org.ddpm4j.api.training;

import java.util.Map;
import org.ddpm4j.api.tensor.HostArray;

/**
 * A network with weights, an optimizer and EMA weights, whose whole state can be exported to and
 * imported from host arrays by name: the neutral format of checkpoints (saved as NumPy
 * {@code .npz}) and of moving weights between backends.
 *
 * <p>State keys: {@code weights/<param>}, {@code ema/<param>}, {@code adam_m/<param>},
 * {@code adam_v/<param>} and the scalar {@code adam_step}, where {@code <param>} is the parameter
 * name defined in {@code docs/NETWORKS.md} (identical on every backend) and the array layouts are
 * PyTorch's ({@code [out, in]} for dense, {@code [out, in, kh, kw]} for convolution kernels).
 */
public interface Trainable extends AutoCloseable {

    NetworkSpec spec();

    /** Number of trainable scalars. */
    long parameterCount();

    /** The full state: weights, EMA weights, optimizer moments and step. */
    Map<String, HostArray> exportState();

    /**
     * Restores a state. {@code weights/*} entries are required and must match the architecture's
     * names and shapes exactly (a clear error otherwise); missing {@code ema/*} entries start the
     * EMA at the weights, missing optimizer entries start a fresh optimizer.
     */
    void importState(Map<String, HostArray> state);

    /** Releases native memory. */
    @Override
    void close();
}
