package org.ddpm4j.backend.java;

import java.util.Arrays;
import java.util.List;
import org.ddpm4j.toolkit.tensor.ScopeStack;
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

    private final ScopeStack<HostTensor> scopes = new ScopeStack<>(this::host);

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
        return create(d, checked(shape, d.length));
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        return create(data.clone(), checked(shape, data.length));
    }

    @Override
    public Tensor zeros(int... shape) {
        long n = Tensor.elementCount(shape);
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
        return scopes.open();
    }

    HostTensor create(double[] data, int[] shape) {
        return scopes.register(new HostTensor(this, data, shape));
    }

    HostTensor host(Tensor t) {
        if (!(t instanceof HostTensor h) || h.backend() != this) {
            throw new IllegalArgumentException("tensor of backend '" + t.backend().name() + "' used with backend 'java'");
        }
        return h;
    }

    private static int[] checked(int[] shape, int length) {
        Tensor.requireElementCount(shape, length);
        return shape.clone();
    }
}
