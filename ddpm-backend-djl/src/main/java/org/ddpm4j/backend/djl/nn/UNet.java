package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The {@code unet} network of docs/NETWORKS.md (DDPM / Improved-DDPM style) for images
 * {@code [C_in, H, W]}: residual blocks with GroupNorm and SiLU that add the time (and class)
 * features, self-attention at the chosen levels and in the middle, stride-2 convolutions down,
 * nearest-neighbour upsampling and skip connections up. The classifier variant keeps the down path
 * and the middle and ends in {@code "head"} on the mean over pixels of {@code SiLU(GroupNorm(h))}.
 */
final class UNet implements Network {
    private final UNetConfig config;
    private final int[] sampleShape;
    private final int classes;
    private final boolean classifier;
    private final int outputChannels;
    private final ParameterLayout layout = new ParameterLayout();

    private UNet(UNetConfig config, int[] sampleShape, int classes, boolean classifier, int outputChannels) {
        this.config = config;
        this.sampleShape = sampleShape.clone();
        this.classes = classes;
        this.classifier = classifier;
        this.outputChannels = outputChannels;
        declare();
    }

    /**
     * The denoiser of images, class-conditional when {@code classes > 0}, with {@code outputChannels}
     * output channels (the input's, or twice as many with a variance output).
     */
    static UNet denoiser(UNetConfig config, int[] sampleShape, int classes, int outputChannels) {
        return new UNet(config, sampleShape, classes, false, outputChannels);
    }

    /** The encoder-and-head classifier into {@code classes} classes. */
    static UNet classifier(UNetConfig config, int[] sampleShape, int classes) {
        return new UNet(config, sampleShape, classes, true, 0);
    }

    /** Declares the parameters in the order of the forward pass. */
    private void declare() {
        int c = config.channels();
        int tf = config.timeFeatures();
        layout.dense("time.0", c, tf);
        layout.dense("time.2", tf, tf);
        if (conditional()) {
            layout.embedding("class_embedding", classes + 1, tf);
        }
        layout.conv("input", sampleShape[0], c, 3);
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(c);
        int ch = c;
        for (int l = 0; l < config.levels(); l++) {
            for (int r = 0; r < config.numResBlocks(); r++) {
                String block = "down." + l + "." + r;
                declareResBlock(block, ch, config.width(l));
                ch = config.width(l);
                if (config.attention(l)) {
                    declareAttention(block + ".attn", ch);
                }
                skips.push(ch);
            }
            if (l < config.levels() - 1) {
                layout.conv("down." + l + ".downsample", ch, ch, 3);
                skips.push(ch);
            }
        }
        declareResBlock("mid.0", ch, ch);
        declareAttention("mid.attn", ch);
        declareResBlock("mid.1", ch, ch);
        if (classifier) {
            layout.norm("out.norm", ch);
            layout.dense("head", ch, classes);
            return;
        }
        for (int l = config.levels() - 1; l >= 0; l--) {
            for (int r = 0; r <= config.numResBlocks(); r++) {
                String block = "up." + l + "." + r;
                declareResBlock(block, ch + skips.pop(), config.width(l));
                ch = config.width(l);
                if (config.attention(l)) {
                    declareAttention(block + ".attn", ch);
                }
            }
            if (l > 0) {
                layout.conv("up." + l + ".upsample", ch, ch, 3);
            }
        }
        layout.norm("out.norm", ch);
        layout.zeroConv("out.conv", ch, outputChannels, 3);
    }

    private void declareResBlock(String name, int in, int out) {
        layout.norm(name + ".norm1", in);
        layout.conv(name + ".conv1", in, out, 3);
        layout.dense(name + ".time", config.timeFeatures(), out);
        layout.norm(name + ".norm2", out);
        layout.zeroConv(name + ".conv2", out, out, 3);
        if (in != out) {
            layout.conv(name + ".skip", in, out, 1);
        }
    }

    private void declareAttention(String name, int ch) {
        layout.norm(name + ".norm", ch);
        layout.conv(name + ".qkv", ch, 3 * ch, 1);
        layout.zeroConv(name + ".proj", ch, ch, 1);
    }

    @Override
    public ParameterLayout layout() {
        return layout;
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
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
        return config.dropout() > 0;
    }

    @Override
    public NDArray forward(Weights w, NDArray x, double[] t, int[] labels, boolean training) {
        Block block = block(w, x, t, labels, training);
        Deque<NDArray> skips = new ArrayDeque<>();
        NDArray h = encode(block, x, skips);
        if (classifier) {
            return Layers.linear(w, "head", pool(w, h));
        }
        // Every intermediate is freed once read for the last time (Layers.freeing): the skips and the
        // current array are all a pass holds, as in PyTorch.
        for (int l = config.levels() - 1; l >= 0; l--) {
            for (int r = 0; r <= config.numResBlocks(); r++) {
                NDArray skip = skips.pop();
                NDArray joined = Layers.freeing(Layers.concatChannels(h, skip), h, skip);
                h = Layers.freeing(block.res("up." + l + "." + r, joined, l), joined);
            }
            if (l > 0) {
                NDArray upsampled = Layers.freeing(Layers.upsample2x(h), h);
                h = Layers.freeing(Layers.conv3x3(w, "up." + l + ".upsample", upsampled, 1), upsampled);
            }
        }
        NDArray activated = Layers.freeing(Layers.groupNormSilu(w, "out.norm", h, config.groups()), h);
        return Layers.freeing(Layers.conv3x3(w, "out.conv", activated, 1), activated);
    }

    @Override
    public NDArray features(Weights w, NDArray x, double[] t) {
        NetworkChecks.requireClassifier(classifier);
        return pool(w, encode(block(w, x, t, null, false), x, new ArrayDeque<>()));
    }

    private Block block(Weights w, NDArray x, double[] t, int[] labels, boolean training) {
        NDArray e = Layers.timeFeatures(w, x.getManager(), t, config.timeScale(), config.channels(), conditional() ? labels : null);
        return new Block(w, Layers.silu(e), training);
    }

    /** The down path and the middle; pushes the skip connections of the up path onto {@code skips}. */
    private NDArray encode(Block block, NDArray x, Deque<NDArray> skips) {
        Weights w = block.w;
        NDArray h = Layers.conv3x3(w, "input", x, 1);
        skips.push(h);
        for (int l = 0; l < config.levels(); l++) {
            for (int r = 0; r < config.numResBlocks(); r++) {
                h = block.res("down." + l + "." + r, h, l);
                skips.push(h);
            }
            if (l < config.levels() - 1) {
                h = Layers.conv3x3(w, "down." + l + ".downsample", h, 2);
                skips.push(h);
            }
        }
        h = block.res("mid.0", h, -1); // its input is a skip, read again on the way up
        h = Layers.freeing(Layers.attention(w, "mid.attn", h, config.heads(), config.groups()), h);
        return Layers.freeing(block.res("mid.1", h, -1), h);
    }

    /** The classifier's features: the pixel mean of {@code SiLU(GroupNorm(h))}. */
    private NDArray pool(Weights w, NDArray h) {
        NDArray normed = Layers.groupNormSilu(w, "out.norm", h, config.groups());
        return normed.reshape(normed.getShape().get(0), normed.getShape().get(1), -1).mean(new int[] {2});
    }

    /** Residual blocks (and the attention that follows them) sharing one forward pass's time features. */
    private final class Block {
        private final Weights w;
        private final NDArray time;
        private final boolean training;

        Block(Weights w, NDArray time, boolean training) {
            this.w = w;
            this.time = time;
            this.training = training;
        }

        /**
         * ResBlock {@code name}, followed by its attention when {@code level} has attention (-1: never).
         * {@code h} stays the caller's; everything made here but the result is freed before returning.
         */
        NDArray res(String name, NDArray h, int level) {
            int groups = config.groups();
            NDArray activated = Layers.groupNormSilu(w, name + ".norm1", h, groups);
            NDArray r = Layers.freeing(Layers.conv3x3(w, name + ".conv1", activated, 1), activated);
            NDArray features = Layers.linear(w, name + ".time", time);
            NDArray perChannel = features.reshape(features.getShape().get(0), features.getShape().get(1), 1, 1);
            r.addi(perChannel); // into the convolution's output, which its backward pass does not read
            Layers.freeing(perChannel, features);
            activated = Layers.freeing(Layers.groupNormSilu(w, name + ".norm2", r, groups), r, perChannel);
            NDArray dropped = Layers.dropout(activated, config.dropout(), training);
            r = Layers.freeing(Layers.conv3x3(w, name + ".conv2", dropped, 1), dropped, activated);
            // skip(h) + r, summed into r (the same sum: addition commutes exactly)
            NDArray out;
            if (w.has(name + ".skip.weight")) {
                NDArray skip = Layers.conv1x1(w, name + ".skip", h);
                out = Layers.freeing(r.addi(skip), skip);
            } else {
                out = r.addi(h);
            }
            return level >= 0 && config.attention(level)
                    ? Layers.freeing(Layers.attention(w, name + ".attn", out, config.heads(), groups), out) : out;
        }
    }
}
