package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.Arrays;

/**
 * The building blocks of {@code docs/NETWORKS.md} as functions of arrays and named weights.
 *
 * <p>Every result joins the manager of its first operand (DJL's rule). The networks keep the
 * per-call data (the input and what is computed from it) as first operand and the weights second,
 * so everything a forward pass makes lives in the caller's per-call manager and dies with it.
 *
 * <p>No operation here takes a Java number ({@code x.mul(0.5f)}): on the CPU DJL wraps the number in
 * an array over a direct buffer that it frees right after the operation, but autograd may keep that
 * array for the backward pass, which would then read freed memory. Constants are arrays of the
 * per-call manager instead, alive until the pass is over.
 */
final class Layers {
    /** GroupNorm's epsilon. */
    static final float NORM_EPS = 1e-5f;

    private Layers() {
    }

    /** {@code x W^T + b} with {@code name.weight [out, in]}, {@code name.bias [out]}. */
    static NDArray linear(Weights w, String name, NDArray x) {
        return Linear.linear(x, w.get(name + ".weight"), w.get(name + ".bias")).singletonOrThrow();
    }

    /** 3x3 convolution with symmetric zero padding 1 (also for stride 2). */
    static NDArray conv3x3(Weights w, String name, NDArray x, int stride) {
        return Conv2d.conv2d(x, w.get(name + ".weight"), w.get(name + ".bias"), new Shape(stride, stride), new Shape(1, 1))
                .singletonOrThrow();
    }

    /**
     * 3x3 convolution at {@code stride} with zero padding {@code padding} on every side, or, for
     * padding 0, one pixel on the right and bottom only (diffusers' downsampling with
     * {@code downsample_padding 0}).
     */
    static NDArray conv3x3(Weights w, String name, NDArray x, int stride, int padding) {
        if (padding > 0) {
            return Conv2d.conv2d(x, w.get(name + ".weight"), w.get(name + ".bias"), new Shape(stride, stride), new Shape(padding, padding))
                    .singletonOrThrow();
        }
        Shape s = x.getShape();
        NDManager m = x.getManager();
        NDArray right = concatAlong(x, m.zeros(new Shape(s.get(0), s.get(1), s.get(2), 1)), 3);
        NDArray padded = concatAlong(right, m.zeros(new Shape(s.get(0), s.get(1), 1, s.get(3) + 1)), 2);
        return Conv2d.conv2d(padded, w.get(name + ".weight"), w.get(name + ".bias"), new Shape(stride, stride)).singletonOrThrow();
    }

    private static NDArray concatAlong(NDArray a, NDArray b, int axis) {
        return NDArrays.concat(new NDList(a, b), axis);
    }

    /** 1x1 convolution. */
    static NDArray conv1x1(Weights w, String name, NDArray x) {
        return Conv2d.conv2d(x, w.get(name + ".weight"), w.get(name + ".bias")).singletonOrThrow();
    }

    /** {@code SiLU(x) = x sigmoid(x)}, libtorch's fused kernel. */
    static NDArray silu(NDArray x) {
        return FusedOps.silu(x);
    }

    /**
     * GroupNorm with {@code groups} groups over {@code [N, C, H, W]}: per sample and group, subtract
     * the mean and divide by {@code sqrt(var + 1e-5)} (biased variance), then the per-channel affine map.
     * libtorch's fused {@code group_norm} (normalisation and affine map in one pass each way).
     */
    static NDArray groupNorm(Weights w, String name, NDArray x, int groups) {
        return groupNorm(w, name, x, groups, NORM_EPS);
    }

    /** {@code SiLU(GroupNorm(x))} as above, one call to libtorch, the normed array never held here. */
    static NDArray groupNormSilu(Weights w, String name, NDArray x, int groups) {
        return FusedOps.groupNormSilu(x, groups, w.get(name + ".weight"), w.get(name + ".bias"), NORM_EPS);
    }

    /**
     * {@code result}, after freeing the intermediates {@code used} that nothing reads any more. A
     * forward pass's arrays otherwise live in its manager until the pass ends, so its memory peaks at
     * the sum of all of them, and the allocator gives those pages back to the system and faults them
     * in again on the next pass (docs/BENCHMARKS.md, "DJL: third pass"). Autograd keeps what the
     * backward pass needs by its own reference; freeing the Java handle does not touch it.
     */
    static NDArray freeing(NDArray result, NDArray... used) {
        for (NDArray u : used) {
            if (u != result && !u.isReleased()) { // dropout off returns its input: one array, two names
                u.close();
            }
        }
        return result;
    }

    /** GroupNorm as above with epsilon {@code eps}. */
    static NDArray groupNorm(Weights w, String name, NDArray x, int groups, float eps) {
        return FusedOps.groupNorm(x, groups, w.get(name + ".weight"), w.get(name + ".bias"), eps);
    }

    /**
     * The sinusoidal embedding of {@code s = t * scale}: with {@code half = dim / 2} and
     * {@code f_k = exp(-ln(10000) k / (half - 1))}, {@code [sin(s f_0) .. sin(s f_{half-1}), cos(s f_0) .. cos(s f_{half-1})]}.
     * The arguments {@code s f_k} are formed in double precision on the host. When every sample has
     * the same time (as in sampling) the result is one row, and everything computed from it
     * broadcasts over the batch: the time path then costs one sample, not N.
     */
    static NDArray timeEmbedding(NDManager m, double[] t, double scale, int dim) {
        double[] times = Arrays.stream(t).allMatch(v -> v == t[0]) ? new double[] {t[0]} : t;
        int half = dim / 2;
        float[] args = new float[times.length * half];
        for (int k = 0; k < half; k++) {
            double f = Math.exp(-Math.log(10000) * k / (half - 1));
            for (int i = 0; i < times.length; i++) {
                args[i * half + k] = (float) (times[i] * scale * f);
            }
        }
        NDArray a = m.create(args, new Shape(times.length, half));
        return a.sin().concat(a.cos(), 1);
    }

    /**
     * The time features {@code e = Linear "time.2" (SiLU(Linear "time.0" (temb(t * scale, dim))))}, plus
     * the class embedding rows of {@code labels} unless they are null.
     */
    static NDArray timeFeatures(Weights w, NDManager m, double[] t, double scale, int dim, int[] labels) {
        NDArray e = linear(w, "time.2", silu(linear(w, "time.0", timeEmbedding(m, t, scale, dim))));
        return labels == null ? e : e.add(classEmbedding(w, "class_embedding", m, labels));
    }

    /**
     * Rows of the class embedding {@code name.weight [K + 1, D]} for each label; the null class
     * ({@code -1}) takes row K. A one-hot product, so the gradient reaches the table.
     */
    static NDArray classEmbedding(Weights w, String name, NDManager m, int[] labels) {
        NDArray table = w.get(name + ".weight");
        int rows = Math.toIntExact(table.getShape().get(0));
        float[] oneHot = new float[labels.length * rows];
        for (int i = 0; i < labels.length; i++) {
            oneHot[i * rows + (labels[i] < 0 ? rows - 1 : labels[i])] = 1f;
        }
        return m.create(oneHot, new Shape(labels.length, rows)).matMul(table);
    }

    /**
     * Nearest-neighbour 2x upsampling of {@code [N, C, H, W]}: each pixel becomes a 2x2 block
     * ({@link FusedOps#upsampleNearest2x}; a copy of a broadcast view would differentiate as a strided
     * reduction over two axes, several times slower).
     */
    static NDArray upsample2x(NDArray x) {
        return FusedOps.upsampleNearest2x(x);
    }

    /** Dropout (inverted: kept values scaled by {@code 1 / (1 - rate)}) in training, the identity otherwise. */
    static NDArray dropout(NDArray x, double rate, boolean training) {
        if (!training || rate == 0) {
            return x;
        }
        return Dropout.dropout(x, (float) rate, true).singletonOrThrow();
    }

    /**
     * Multi-head self-attention over the pixels of {@code h [N, C, H, W]} with a residual connection:
     * {@code q, k, v} from a 1x1 convolution of the group-normed input (q the first C channels, then k,
     * then v; head j takes channels {@code j dh .. (j+1) dh - 1} of each), {@code a = softmax_keys(q^T k / sqrt(dh))},
     * {@code o = v a^T}, heads concatenated, then a 1x1 projection added to {@code h}.
     */
    static NDArray attention(Weights w, String name, NDArray h, int heads, int groups) {
        Shape s = h.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long pixels = s.get(2) * s.get(3);
        long dh = c / heads;
        NDArray normed = groupNorm(w, name + ".norm", h, groups);
        NDArray qkv = freeing(conv1x1(w, name + ".qkv", normed), normed);
        // views share their base's memory: each is freed with it, or the memory outlives the handle
        NDArray grouped = qkv.reshape(n, 3, heads * dh * pixels);
        NDList parts = grouped.split(3, 1);
        NDArray q = parts.get(0).reshape(n * heads, dh, pixels);
        NDArray k = parts.get(1).reshape(n * heads, dh, pixels);
        NDArray v = parts.get(2).reshape(n * heads, dh, pixels);
        parts.close();
        NDArray scale = h.getManager().create((float) (1 / Math.sqrt(dh)));
        NDArray queries = q.transpose(0, 2, 1);
        NDArray products = freeing(queries.matMul(k), queries, q, k);
        NDArray scores = freeing(products.mul(scale), products);                              // [n heads, query, key]
        NDArray probabilities = freeing(scores.softmax(2), scores);
        NDArray transposed = probabilities.transpose(0, 2, 1);
        NDArray attended = freeing(v.matMul(transposed), transposed, probabilities, v, grouped, qkv); // [n heads, dh, query]
        NDArray image = attended.reshape(s);
        NDArray projected = freeing(conv1x1(w, name + ".proj", image), image, attended);
        return projected.addi(h); // h + proj: the same sum, into the projection's own memory
    }

    /**
     * Scaled dot-product attention of {@code q, k, v [N, P, heads * dh]} (head j in features
     * {@code j dh .. (j+1) dh - 1}): per head {@code softmax_keys(q k^T / sqrt(dh)) v}, heads
     * concatenated again: {@code [N, P, heads * dh]}.
     */
    static NDArray dotProductAttention(NDArray q, NDArray k, NDArray v, int heads) {
        Shape s = q.getShape();
        long n = s.get(0);
        long p = s.get(1);
        long dh = s.get(2) / heads;
        NDArray qh = q.reshape(n, p, heads, dh).transpose(0, 2, 1, 3).reshape(n * heads, p, dh);
        NDArray kh = k.reshape(n, p, heads, dh).transpose(0, 2, 3, 1).reshape(n * heads, dh, p);
        NDArray vh = v.reshape(n, p, heads, dh).transpose(0, 2, 1, 3).reshape(n * heads, p, dh);
        NDArray scale = q.getManager().create((float) (1 / Math.sqrt(dh)));
        NDArray out = qh.matMul(kh).mul(scale).softmax(2).matMul(vh);                 // [n heads, P, dh]
        return out.reshape(n, heads, p, dh).transpose(0, 2, 1, 3).reshape(n, p, heads * dh);
    }

    /** Concatenates along the channel axis, {@code a} first. */
    static NDArray concatChannels(NDArray a, NDArray b) {
        return NDArrays.concat(new NDList(a, b), 1);
    }
}
