package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * The parameters of a network by name: views (no copies) into a flat vector laid out by a
 * {@link ParameterLayout}. Views made while gradients are recorded carry them back to the vector.
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
