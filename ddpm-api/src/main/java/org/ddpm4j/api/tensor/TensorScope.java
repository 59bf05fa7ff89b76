package org.ddpm4j.api.tensor;

/**
 * A region of code whose temporary tensors are released together when it closes.
 *
 * <pre>{@code
 * for (...) {
 *     try (TensorScope step = backend.openScope()) {
 *         Tensor next = update(x);      // temporaries die with the scope
 *         x.close();                    // the replaced state belongs to the enclosing scope: free it now
 *         x = step.keep(next);          // the carried state survives the scope
 *     }
 * }
 * }</pre>
 *
 * A kept tensor lives until the enclosing scope closes, so a loop must close the state it replaces
 * (unless the caller still needs it) or memory grows with the number of steps.
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
