package org.ddpm4j.api.tensor;

import java.util.List;

/**
 * A tensor implementation on one device (host memory, a libtorch CPU or GPU, TensorFlow ...): it
 * creates {@link Tensor}s and scopes their memory. Backends that also train networks implement
 * {@code org.ddpm4j.api.training.NetworkBackend}. Everything above this interface (schedules, samplers, guidance, the training
 * objective) is written once and runs on every backend.
 */
public interface TensorBackend extends AutoCloseable {

    /** The plugin name, e.g. {@code java}, {@code djl}, {@code tf}. */
    String name();

    /** The device the tensors live on, e.g. {@code cpu} or {@code gpu:0}. */
    String device();

    /** A tensor holding {@code data} (row-major) with the given shape. */
    Tensor fromHost(float[] data, int... shape);

    /** A tensor holding {@code data} (row-major) with the given shape; precision may be reduced to the backend's. */
    Tensor fromHost(double[] data, int... shape);

    default Tensor fromHost(HostArray array) {
        return fromHost(array.data(), array.shape());
    }

    Tensor zeros(int... shape);

    /** Concatenates tensors along the batch axis; all other axes must agree. */
    Tensor concat(List<Tensor> parts);

    /**
     * Standard normal noise N(0, I) drawn on the host from {@code noise}: the same seed gives the same
     * tensor on every backend.
     */
    default Tensor randn(GaussianNoise noise, int... shape) {
        return fromHost(noise.nextFloats(Math.toIntExact(Tensor.elementCount(shape))), shape);
    }

    /**
     * Opens a memory scope: tensors created until it closes are released when it closes, except
     * those {@linkplain TensorScope#keep kept}. Scopes nest; use one per sampler or training step so
     * that a loop of 100,000 steps runs in constant memory.
     */
    TensorScope openScope();

    /** Releases the backend's resources (native engines, sessions). */
    @Override
    default void close() {
    }
}
