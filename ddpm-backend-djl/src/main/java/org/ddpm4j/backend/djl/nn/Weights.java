package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.HashMap;
import java.util.Map;

/**
 * The parameters of a network by name: views (no copies) into a flat vector laid out by a
 * {@link ParameterLayout}, either plain views or leaves of autograd with a gradient of their own.
 */
public final class Weights {
    private final Map<String, NDArray> views;

    private Weights(Map<String, NDArray> views) {
        this.views = views;
    }

    /** Views of {@code flat} for every parameter of {@code layout}, owned by {@code manager}. */
    static Weights of(ParameterLayout layout, NDArray flat, NDManager manager) {
        Map<String, NDArray> views = new HashMap<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            NDArray slice = flat.get(new NDIndex().addSliceDim(e.offset(), e.offset() + e.size()));
            slice.attach(manager);
            views.put(e.name(), slice.reshape(toLong(e.shape())));
        }
        return new Weights(views);
    }

    /**
     * Leaves of autograd sharing storage with {@code flat} (which does not require gradients), one per
     * parameter of {@code layout}, owned by {@code manager}: each collects its own gradient, and
     * in-place updates of {@code flat} show through them.
     */
    static Weights leaves(ParameterLayout layout, NDArray flat, NDManager manager) {
        Weights views = of(layout, flat, manager);
        Map<String, NDArray> leaves = new HashMap<>();
        views.views.forEach((name, view) -> {
            NDArray leaf = view.stopGradient(); // detach(): same storage, no history
            leaf.attach(manager);
            leaf.setRequiresGradient(true);
            leaves.put(name, leaf);
        });
        return new Weights(leaves);
    }

    /**
     * The gradients of these leaves as one vector in the order of {@code layout} (zeros for a
     * parameter the last backward pass did not reach), owned by {@code scope}.
     */
    NDArray flatGradient(ParameterLayout layout, NDManager scope) {
        PtNDArray[] parts = new PtNDArray[layout.entries().size()];
        for (int i = 0; i < parts.length; i++) {
            NDArray g = get(layout.entries().get(i).name()).getGradient();
            g.attach(scope);
            parts[i] = (PtNDArray) g.reshape(-1);
        }
        NDArray flat = JniUtils.cat(parts, 0);
        flat.attach(scope);
        return flat;
    }

    /** Zeroes the gradients of these leaves (libtorch adds up gradients otherwise). */
    void clearGradients() {
        for (NDArray leaf : views.values()) {
            JniUtils.zeroGrad((PtNDArray) leaf);
        }
    }

    /** The parameter {@code name} in its declared shape. */
    public NDArray get(String name) {
        NDArray a = views.get(name);
        if (a == null) {
            throw new IllegalStateException("the network uses '" + name + "', which its layout does not declare");
        }
        return a;
    }

    /** True when the layout declares {@code name}. */
    public boolean has(String name) {
        return views.containsKey(name);
    }

    /** The parameter {@code name} viewed in another shape, the view owned by {@code manager}. */
    public NDArray get(String name, Shape shape, NDManager manager) {
        NDArray view = get(name).reshape(shape);
        view.attach(manager);
        return view;
    }

    static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return s;
    }
}
