package org.ddpm4j.api.tensor;

/**
 * A region of code whose temporary tensors are released together when it closes.
 *
 * <pre>{@code
 * for (...) {
 *     try (TensorScope step = backend.openScope()) {
 *         Tensor next = update(x);      // temporaries die with the scope
 *         x = step.keep(next);          // the carried state survives it
 *     }
 * }
 * }</pre>
 */
public interface TensorScope extends AutoCloseable {

    /**
     * Moves {@code tensor} to the enclosing scope (or to no scope at all), so that it outlives this
     * one. Returns the tensor to use from now on (the same object on most backends).
     */
    Tensor keep(Tensor tensor);

    /** Releases every tensor created in this scope and not kept. */
    @Override
    void close();
}
