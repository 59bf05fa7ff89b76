package org.ddpm4j.core.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * Tensors as plain {@code double[]} arrays in host memory: exact enough to compare with reference
 * implementations (diffusers' golden values, closed forms), needs no native library, and serves
 * analytic denoisers. It is also strict about memory scopes: a tensor used after its scope closed
 * fails at once, so scope bugs in samplers show up in tests without a GPU.
 */
public final class JavaBackend implements TensorBackend {
    public static final String NAME = "java";

    private final ThreadLocal<Deque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i];
        }
        return create(d, checkShape(shape, d.length));
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        return create(data.clone(), checkShape(shape, data.length));
    }

    @Override
    public Tensor zeros(int... shape) {
        long n = count(shape);
        return create(new double[Math.toIntExact(n)], shape.clone());
    }

    @Override
    public Tensor concat(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int[] first = parts.get(0).shape();
        int batch = 0;
        int total = 0;
        for (Tensor p : parts) {
            int[] s = p.shape();
            if (s.length != first.length || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first, 1, first.length))) {
                throw new IllegalArgumentException("cannot concatenate shapes " + Arrays.toString(first) + " and " + Arrays.toString(s));
            }
            batch += s[0];
            total += host(p).data().length;
        }
        double[] out = new double[total];
        int offset = 0;
        for (Tensor p : parts) {
            double[] d = host(p).data();
            System.arraycopy(d, 0, out, offset, d.length);
            offset += d.length;
        }
        int[] shape = first.clone();
        shape[0] = batch;
        return create(out, shape);
    }

    @Override
    public TensorScope openScope() {
        Scope scope = new Scope();
        scopes.get().push(scope);
        return scope;
    }

    HostTensor create(double[] data, int[] shape) {
        HostTensor t = new HostTensor(this, data, shape);
        Scope current = scopes.get().peek();
        if (current != null) {
            current.owned.add(t);
        }
        return t;
    }

    HostTensor host(Tensor t) {
        if (!(t instanceof HostTensor h) || h.backend() != this) {
            throw new IllegalArgumentException("tensor of backend '" + t.backend().name() + "' used with backend 'java'");
        }
        return h;
    }

    private static int[] checkShape(int[] shape, int length) {
        if (count(shape) != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count(shape)
                    + " elements but " + length + " were given");
        }
        return shape.clone();
    }

    static long count(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        return n;
    }

    private final class Scope implements TensorScope {
        private final List<HostTensor> owned = new ArrayList<>();
        private boolean closed;

        @Override
        public Tensor keep(Tensor tensor) {
            HostTensor h = host(tensor);
            if (owned.remove(h)) {
                Deque<Scope> stack = scopes.get();
                Scope parent = null;
                boolean below = false;
                for (Scope s : stack) {
                    if (below) {
                        parent = s;
                        break;
                    }
                    below = s == this;
                }
                if (parent != null) {
                    parent.owned.add(h);
                }
            }
            return h;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (HostTensor t : owned) {
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
