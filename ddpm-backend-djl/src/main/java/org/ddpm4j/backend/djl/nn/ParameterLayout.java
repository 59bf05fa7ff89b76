package org.ddpm4j.backend.djl.nn;

import org.ddpm4j.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.tensor.GaussianNoise;

/**
 * The parameters of a network: names and shapes as in {@code docs/NETWORKS.md} (PyTorch layouts),
 * each one a slice of one flat vector, so that the optimizer and the EMA update every weight in a
 * few operations instead of a few per parameter. Also defines the initial values.
 *
 * <p>Initialisation, drawn in declaration order from {@code GaussianNoise(seed)}: dense and
 * convolution weights and biases {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} (PyTorch's default),
 * group norms weight 1 and bias 0, embeddings {@code N(0, 1)}, and zeros for the layers that end a
 * residual branch or the network (improved-diffusion's {@code zero_module}), so that a fresh
 * network starts as the identity in every residual block and predicts 0.
 */
public final class ParameterLayout {

    /** How a parameter starts. */
    enum Init { FAN_IN_UNIFORM, ZERO, ONE, NORMAL }

    /** One named parameter: a slice {@code [offset, offset + size)} of the flat vector. */
    public record Entry(String name, int[] shape, int offset, Init init, int fanIn) {
        public int size() {
            return Math.toIntExact(Tensor.elementCount(shape));
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private int size;

    private void add(String name, int[] shape, Init init, int fanIn) {
        Entry e = new Entry(name, shape, size, init, fanIn);
        if (byName.putIfAbsent(name, e) != null) {
            throw new IllegalStateException("parameter '" + name + "' declared twice");
        }
        entries.add(e);
        size += e.size();
    }

    /** A dense layer {@code name.weight [out, in]}, {@code name.bias [out]}. */
    void dense(String name, int in, int out) {
        add(name + ".weight", new int[] {out, in}, Init.FAN_IN_UNIFORM, in);
        add(name + ".bias", new int[] {out}, Init.FAN_IN_UNIFORM, in);
    }

    /** A dense layer that starts at zero. */
    void zeroDense(String name, int in, int out) {
        add(name + ".weight", new int[] {out, in}, Init.ZERO, in);
        add(name + ".bias", new int[] {out}, Init.ZERO, in);
    }

    /** A convolution {@code name.weight [out, in, k, k]}, {@code name.bias [out]}. */
    void conv(String name, int in, int out, int k) {
        add(name + ".weight", new int[] {out, in, k, k}, Init.FAN_IN_UNIFORM, in * k * k);
        add(name + ".bias", new int[] {out}, Init.FAN_IN_UNIFORM, in * k * k);
    }

    /** A convolution that starts at zero. */
    void zeroConv(String name, int in, int out, int k) {
        add(name + ".weight", new int[] {out, in, k, k}, Init.ZERO, in * k * k);
        add(name + ".bias", new int[] {out}, Init.ZERO, in * k * k);
    }

    /** A group norm's per-channel affine map {@code name.weight [C]}, {@code name.bias [C]}. */
    void norm(String name, int channels) {
        add(name + ".weight", new int[] {channels}, Init.ONE, 1);
        add(name + ".bias", new int[] {channels}, Init.ZERO, 1);
    }

    /** An embedding table {@code name.weight [rows, dim]}. */
    void embedding(String name, int rows, int dim) {
        add(name + ".weight", new int[] {rows, dim}, Init.NORMAL, 1);
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** The parameter called {@code name}, or null. */
    public Entry entry(String name) {
        return byName.get(name);
    }

    /** Number of scalars. */
    public int size() {
        return size;
    }

    /** The initial flat vector for {@code seed}. */
    public float[] initialValues(long seed) {
        GaussianNoise random = new GaussianNoise(seed);
        float[] v = new float[size];
        for (Entry e : entries) {
            int end = e.offset() + e.size();
            switch (e.init()) {
                case ZERO -> Arrays.fill(v, e.offset(), end, 0f);
                case ONE -> Arrays.fill(v, e.offset(), end, 1f);
                case NORMAL -> {
                    for (int i = e.offset(); i < end; i++) {
                        v[i] = (float) random.next();
                    }
                }
                case FAN_IN_UNIFORM -> {
                    double bound = 1 / Math.sqrt(e.fanIn());
                    for (int i = e.offset(); i < end; i++) {
                        v[i] = (float) ((2 * random.nextUniform() - 1) * bound);
                    }
                }
                default -> throw new IllegalStateException(e.init().name());
            }
        }
        return v;
    }
}
