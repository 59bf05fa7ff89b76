package org.ddpm4j.testkit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * A backend seen through proxies that record every tensor created, so a test can count the tensors
 * still alive (not yet released by a scope or {@code close()}): what would be device memory on a
 * native backend. The wrapped backend must fail with an {@link IllegalStateException} on any use of
 * a released tensor (the {@code java} backend does).
 */
public final class TrackingBackend implements TensorBackend {
    private final TensorBackend real;
    private final List<Tensor> created = new ArrayList<>();

    public TrackingBackend(TensorBackend real) {
        this.real = real;
    }

    /** Tensors created so far and not released (released ones are forgotten: they cannot come back). */
    public long alive() {
        created.removeIf(t -> !isAlive(t));
        return created.size();
    }

    private static boolean isAlive(Tensor t) {
        try {
            t.size();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private Tensor wrap(Tensor t) {
        created.add(t);
        return (Tensor) Proxy.newProxyInstance(Tensor.class.getClassLoader(), new Class<?>[] {Tensor.class, Wrapped.class}, (proxy, method, args) -> {
            if (method.getName().equals("backend")) {
                return this;
            }
            if (method.getDeclaringClass() == Wrapped.class) {
                return t;
            }
            Object result;
            try {
                result = method.invoke(t, unwrap(args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return result instanceof Tensor r && r != t ? wrap(r) : result instanceof Tensor ? proxy : result;
        });
    }

    /** Gives the real tensor behind a proxy. */
    interface Wrapped {
        Tensor unwrapped();
    }

    private static Object[] unwrap(Object[] args) {
        if (args == null) {
            return null;
        }
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof Wrapped w) {
                out[i] = w.unwrapped();
            } else if (out[i] instanceof List<?> list) {
                out[i] = list.stream().map(e -> e instanceof Wrapped w ? w.unwrapped() : e).toList();
            }
        }
        return out;
    }

    @Override
    public String name() {
        return "tracking";
    }

    @Override
    public String device() {
        return real.device();
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        return wrap(real.fromHost(data, shape));
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        return wrap(real.fromHost(data, shape));
    }

    @Override
    public Tensor zeros(int... shape) {
        return wrap(real.zeros(shape));
    }

    @Override
    public Tensor concat(List<Tensor> parts) {
        return wrap(real.concat(parts.stream().map(p -> ((Wrapped) p).unwrapped()).toList()));
    }

    @Override
    public TensorScope openScope() {
        TensorScope scope = real.openScope();
        return new TensorScope() {
            @Override
            public Tensor keep(Tensor tensor) {
                scope.keep(((Wrapped) tensor).unwrapped());
                return tensor;
            }

            @Override
            public void close() {
                scope.close();
            }
        };
    }
}
