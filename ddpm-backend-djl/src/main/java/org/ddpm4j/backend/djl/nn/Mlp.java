package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The {@code mlp} network of docs/NETWORKS.md for points {@code x in R^d}: a time embedding
 * {@code e = W2 SiLU(W1 temb(s)) (+ class embedding)}, an input layer, residual blocks
 * {@code h <- h + W_b1 Dropout(SiLU(W_b0 SiLU(h) + W_bt SiLU(e)))}, and an output layer on
 * {@code SiLU(h)}: {@code "output"} (d values) for the denoiser, {@code "head"} (K logits) for the
 * classifier.
 */
final class Mlp implements Network {
    private final MlpConfig config;
    private final int dimension;
    private final int classes;
    private final boolean classifier;
    private final ParameterLayout layout = new ParameterLayout();

    private Mlp(MlpConfig config, int dimension, int classes, boolean classifier, int outputs) {
        this.config = config;
        this.dimension = dimension;
        this.classes = classes;
        this.classifier = classifier;
        int h = config.hidden();
        layout.dense("time.0", config.timeEmbedding(), h);
        layout.dense("time.2", h, h);
        if (conditional()) {
            layout.embedding("class_embedding", classes + 1, h);
        }
        layout.dense("input", dimension, h);
        for (int b = 0; b < config.blocks(); b++) {
            layout.dense("blocks." + b + ".0", h, h);
            layout.dense("blocks." + b + ".time", h, h);
            layout.dense("blocks." + b + ".1", h, h);
        }
        if (classifier) {
            layout.dense("head", h, classes);
        } else {
            layout.zeroDense("output", h, outputs);
        }
    }

    /**
     * The denoiser of {@code d}-dimensional points, class-conditional when {@code classes > 0}, with
     * {@code outputs} outputs ({@code d}, or {@code 2d} with a variance output).
     */
    static Mlp denoiser(MlpConfig config, int dimension, int classes, int outputs) {
        return new Mlp(config, dimension, classes, false, outputs);
    }

    /** The classifier into {@code classes} classes. */
    static Mlp classifier(MlpConfig config, int dimension, int classes) {
        return new Mlp(config, dimension, classes, true, 0);
    }

    @Override
    public ParameterLayout layout() {
        return layout;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {dimension};
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public boolean conditional() {
        return !classifier && classes > 0;
    }

    @Override
    public boolean stochastic() {
        return config.dropout() > 0 && config.blocks() > 0;
    }

    @Override
    public NDArray forward(Weights w, NDArray x, double[] t, int[] labels, boolean training) {
        return Layers.linear(w, classifier ? "head" : "output", Layers.silu(trunk(w, x, t, labels, training)));
    }

    @Override
    public NDArray features(Weights w, NDArray x, double[] t) {
        NetworkChecks.requireClassifier(classifier);
        return Layers.silu(trunk(w, x, t, null, false));
    }

    private NDArray trunk(Weights w, NDArray x, double[] t, int[] labels, boolean training) {
        NDManager m = x.getManager();
        NDArray e = Layers.timeFeatures(w, m, t, config.timeScale(), config.timeEmbedding(), conditional() ? labels : null);
        NDArray time = Layers.silu(e);
        NDArray h = Layers.linear(w, "input", x);
        for (int b = 0; b < config.blocks(); b++) {
            String block = "blocks." + b;
            NDArray r = Layers.linear(w, block + ".0", Layers.silu(h)).add(Layers.linear(w, block + ".time", time));
            r = Layers.linear(w, block + ".1", Layers.dropout(Layers.silu(r), config.dropout(), training));
            h = h.add(r);
        }
        return h;
    }
}
