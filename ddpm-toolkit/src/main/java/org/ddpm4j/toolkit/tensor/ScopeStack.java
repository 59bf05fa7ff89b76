package org.ddpm4j.toolkit.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * The {@link TensorScope}s of a backend whose tensors are freed one by one: per thread, a stack of
 * open scopes; a new tensor belongs to the innermost one, {@code keep} hands it to the enclosing
 * one, and closing a scope closes what it still owns. Scopes must close in the reverse order of
 * opening. Backends with their own memory regions (DJL's managers) do not need it.
 *
 * @param <T> the backend's tensor type
 */
public final class ScopeStack<T extends Tensor> {
    private final ThreadLocal<Deque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);
    private final Function<Tensor, T> own;

    /** {@code own} returns a tensor as the backend's type, failing for another backend's tensor. */
    public ScopeStack(Function<Tensor, T> own) {
        this.own = own;
    }

    /** Opens a scope on this thread; it becomes the innermost one. */
    public TensorScope open() {
        Scope scope = new Scope();
        scopes.get().push(scope);
        return scope;
    }

    /** Gives a new tensor to the innermost open scope of this thread (none: the caller owns it); returns it. */
    public T register(T tensor) {
        Scope current = scopes.get().peek();
        if (current != null) {
            current.owned.add(tensor);
        }
        return tensor;
    }

    private final class Scope implements TensorScope {
        private final List<T> owned = new ArrayList<>();
        private boolean closed;

        @Override
        public Tensor keep(Tensor tensor) {
            T t = own.apply(tensor);
            if (owned.remove(t)) {
                Scope parent = parent();
                if (parent != null) {
                    parent.owned.add(t);
                }
            }
            return t;
        }

        private Scope parent() {
            boolean below = false;
            for (Scope s : scopes.get()) {
                if (below) {
                    return s;
                }
                below = s == this;
            }
            return null;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (T t : owned) {
                t.close();
            }
            owned.clear();
            Deque<Scope> stack = scopes.get();
            if (stack.peek() != this) {
                throw new IllegalStateException("memory scopes must be closed in the reverse order of opening");
            }
            stack.pop();
        }
    }
}
