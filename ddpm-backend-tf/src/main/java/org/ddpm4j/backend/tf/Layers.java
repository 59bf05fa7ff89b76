package org.ddpm4j.backend.tf;

import java.util.List;
import java.util.function.Function;
import org.ddpm4j.api.InvalidParameterException;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The building blocks of the networks of {@code docs/NETWORKS.md} as TensorFlow graph operations,
 * on images in NHWC. Each block asks {@code weights} for the value of its named parameters, so the
 * same architecture code builds the training graph (variables), the EMA graph and the exported
 * SavedModel.
 */
final class Layers {
    private static final float GROUP_NORM_EPSILON = 1e-5f;

    private final Ops tf;
    private final Function<Parameter, Operand<TFloat32>> weights;
    private final Operand<TInt64> dropoutSeed;
    private final boolean customGradients;
    private long dropoutLayers;
    private Operand<TFloat32> headInput;

    /**
     * Blocks for a graph that is only evaluated (sampling, export, input gradients of a classifier).
     *
     * @param weights     the value of each parameter
     * @param dropoutSeed the seed {@code [2]} of the dropout masks, or null to build without dropout
     */
    Layers(Ops tf, Function<Parameter, Operand<TFloat32>> weights, Operand<TInt64> dropoutSeed) {
        this(tf, weights, dropoutSeed, false);
    }

    /**
     * @param training whether the parameters' gradients will be taken: group norms then carry
     *                 their closed-form backward ({@link GroupNormGradient}) where it is available
     */
    Layers(Ops tf, Function<Parameter, Operand<TFloat32>> weights, Operand<TInt64> dropoutSeed, boolean training) {
        this.tf = tf;
        this.weights = weights;
        this.dropoutSeed = dropoutSeed;
        this.customGradients = training && GroupNormGradient.available();
    }

    Ops tf() {
        return tf;
    }

    /** A classifier's linear layer {@code "head"} on its penultimate {@code features [n, in]}, which it remembers. */
    Operand<TFloat32> head(Operand<TFloat32> features, int in, int logits) {
        headInput = features;
        return dense(features, "head", in, logits);
    }

    /** The features the classifier head was built on (null before {@link #head} or for a denoiser). */
    Operand<TFloat32> headInput() {
        return headInput;
    }

    private Operand<TFloat32> parameter(String name, Parameter.Kind kind, int fanIn, int... shape) {
        return weights.apply(new Parameter(name, shape, kind, fanIn));
    }

    /** {@code x W^T + b} with {@code W: [out, in]}; x is {@code [n, in]}. */
    Operand<TFloat32> dense(Operand<TFloat32> x, String name, int in, int out) {
        return dense(x, name, in, out, Parameter.Kind.UNIFORM);
    }

    /**
     * A dense layer that starts at zero (improved-diffusion's {@code zero_module}): the layer that
     * ends a network, so that a fresh denoiser predicts 0 (docs/NETWORKS.md, "Initialisation").
     */
    Operand<TFloat32> zeroDense(Operand<TFloat32> x, String name, int in, int out) {
        return dense(x, name, in, out, Parameter.Kind.ZEROS);
    }

    private Operand<TFloat32> dense(Operand<TFloat32> x, String name, int in, int out, Parameter.Kind kind) {
        Operand<TFloat32> w = parameter(name + ".weight", kind, in, out, in);
        Operand<TFloat32> b = parameter(name + ".bias", kind, in, out);
        return tf.math.add(tf.linalg.matMul(x, w, MatMul.transposeB(true)), b);
    }

    /**
     * A {@code k x k} convolution (k = 1 or 3) with bias; a 3x3 one pads every side by one pixel, also
     * at stride 2. At stride 1 that is the convolution's own {@code SAME} padding, with no padded copy
     * of the input. At stride 2 {@code SAME} would pad 0 before and 1 after, and {@code EXPLICIT}
     * padding has no gradient in TensorFlow's C++ gradient registry, so the input is padded first.
     */
    Operand<TFloat32> conv(Operand<TFloat32> x, String name, int in, int out, int k, int stride) {
        return conv(x, name, in, out, k, stride, k == 1 ? 0 : 1, k == 1 ? 0 : 1);
    }

    /**
     * A {@code k x k} convolution with {@code before} zero pixels above and left of the image and
     * {@code after} below and right (diffusers' downsampling with {@code downsample_padding 0} pads 0 and 1).
     */
    Operand<TFloat32> conv(Operand<TFloat32> x, String name, int in, int out, int k, int stride, int before, int after) {
        return conv(x, name, in, out, k, stride, before, after, false);
    }

    /**
     * A stride-1 {@code k x k} convolution that starts at zero ({@code zero_module}): the layers that
     * end a residual branch or the network, so that a fresh block is the identity.
     */
    Operand<TFloat32> zeroConv(Operand<TFloat32> x, String name, int in, int out, int k) {
        int pad = k == 1 ? 0 : 1;
        return conv(x, name, in, out, k, 1, pad, pad, true);
    }

    private Operand<TFloat32> conv(Operand<TFloat32> x, String name, int in, int out, int k, int stride, int before, int after, boolean zero) {
        Operand<TFloat32> w = parameter(name + ".weight", zero ? Parameter.Kind.ZERO_KERNEL : Parameter.Kind.KERNEL, in * k * k, out, in, k, k);
        Operand<TFloat32> b = parameter(name + ".bias", zero ? Parameter.Kind.ZEROS : Parameter.Kind.UNIFORM, in * k * k, out);
        List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
        boolean same = k == 3 && before == 1 && after == 1 && stride == 1;   // the convolution's own padding, no padded copy
        Operand<TFloat32> y = before == 0 && after == 0 || same
                ? tf.nn.conv2d(x, w, strides, same ? "SAME" : "VALID")
                : tf.nn.conv2d(tf.pad(x, tf.constant(new int[][] {{0, 0}, {before, after}, {before, after}, {0, 0}}), tf.constant(0f)),
                        w, strides, "VALID");
        return tf.math.add(y, b);
    }

    /**
     * Group normalisation over each sample's groups of {@code channels / groups} channels and all
     * pixels, on the view {@code [n, pixels, channels]}. Each statistic is a mean over the pixels per
     * channel, then over each group's channels: two reductions of one axis each, which TensorFlow
     * runs in place, where one reduction over the pixel and in-group axes of {@code [n, pixels,
     * groups, channels/groups]} is run as a transpose of the whole tensor and a reduction. The
     * normalisation and the affine map are then one multiply and one add with per-sample,
     * per-channel factors {@code a = weight / sqrt(var + eps)} and {@code b = bias - mean a}.
     */
    Operand<TFloat32> groupNorm(Operand<TFloat32> x, String name, int channels, int groups) {
        return groupNorm(x, name, channels, groups, GROUP_NORM_EPSILON, false);
    }

    /** Group normalisation as above with epsilon {@code eps}. */
    Operand<TFloat32> groupNorm(Operand<TFloat32> x, String name, int channels, int groups, float eps) {
        return groupNorm(x, name, channels, groups, eps, false);
    }

    /** {@code silu(groupNorm(x))}: one block, so that training takes their gradient together. */
    Operand<TFloat32> groupNormSilu(Operand<TFloat32> x, String name, int channels, int groups) {
        return groupNorm(x, name, channels, groups, GROUP_NORM_EPSILON, true);
    }

    /** {@code silu(groupNorm(x))} with epsilon {@code eps}. */
    Operand<TFloat32> groupNormSilu(Operand<TFloat32> x, String name, int channels, int groups, float eps) {
        return groupNorm(x, name, channels, groups, eps, true);
    }

    private Operand<TFloat32> groupNorm(Operand<TFloat32> x, String name, int channels, int groups, float eps, boolean silu) {
        if (channels % groups != 0) {
            throw new InvalidParameterException("groups", groups, "must divide the " + channels + " channels of '" + name + "'");
        }
        Operand<TFloat32> scale = parameter(name + ".weight", Parameter.Kind.ONES, 1, channels);
        Operand<TFloat32> shift = parameter(name + ".bias", Parameter.Kind.ZEROS, 1, channels);
        long[] nhwc = staticShape(x);
        Operand<TInt64> perChannel = tf.constant(new long[] {1, 1, channels});
        Operand<TInt64> image = tf.constant(new long[] {-1, nhwc[1], nhwc[2], channels});
        Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, nhwc[1] * nhwc[2], channels}));   // [n, P, C]
        Operand<TFloat32> mean = groupMean(flat, channels, groups);                                         // [n, 1, C]
        Operand<TFloat32> variance = groupMean(tf.math.squaredDifference(flat, mean), channels, groups);
        Operand<TFloat32> rstd = tf.math.rsqrt(tf.math.add(variance, tf.constant(eps)));
        Operand<TFloat32> a = tf.math.mul(rstd, tf.reshape(scale, perChannel));
        Operand<TFloat32> b = tf.math.sub(tf.reshape(shift, perChannel), tf.math.mul(mean, a));
        Operand<TFloat32> u = tf.math.add(tf.math.mul(flat, a), b);
        if (!customGradients) {                           // graphs that are only evaluated keep exactly these ops
            Operand<TFloat32> normalised = tf.reshape(u, image);
            return silu ? silu(normalised) : normalised;
        }
        // Training: the gradient comes from the closed form, not from auto-differentiating the ops above.
        Operand<TFloat32> y = GroupNormGradient.attach(tf, silu ? silu(u) : u, flat, silu ? u : null, scale, shift, mean, rstd, groups);
        return tf.reshape(y, image);
    }

    /** The mean of {@code v [n, P, C]} over the pixels and each group's channels, repeated for every channel of the group: {@code [n, 1, C]}. */
    private Operand<TFloat32> groupMean(Operand<TFloat32> v, int channels, int groups) {
        int perGroup = channels / groups;
        Operand<TFloat32> perChannel = tf.math.mean(v, tf.constant(1));                                     // [n, C]
        Operand<TFloat32> grouped = tf.math.mean(tf.reshape(perChannel, tf.constant(new long[] {-1, groups, perGroup})),
                tf.constant(2), Mean.keepDims(true));                                                     // [n, G, 1]
        return tf.reshape(tf.tile(grouped, tf.constant(new long[] {1, 1, perGroup})), tf.constant(new long[] {-1, 1, channels}));
    }

    /** {@code x * sigmoid(x)}. */
    Operand<TFloat32> silu(Operand<TFloat32> x) {
        return tf.math.mul(x, tf.math.sigmoid(x));
    }

    /**
     * Inverted dropout: zeroes each element with probability {@code rate} and scales the rest by
     * {@code 1 / (1 - rate)}. The mask is a stateless function of the fed seed and the layer's
     * index, so a training step is a pure function of its inputs and seed. Identity when built
     * without dropout.
     */
    Operand<TFloat32> dropout(Operand<TFloat32> x, double rate) {
        if (dropoutSeed == null || rate == 0) {
            return x;
        }
        Operand<TInt64> seed = tf.math.add(dropoutSeed, tf.constant(new long[] {0, ++dropoutLayers}));
        Operand<TFloat32> uniform = tf.random.statelessRandomUniform(tf.shape(x), seed);
        Operand<TBool> keep = tf.math.greaterEqual(uniform, tf.constant((float) rate));
        Operand<TFloat32> mask = tf.stopGradient(tf.math.div(tf.dtypes.cast(keep, TFloat32.class), tf.constant((float) (1 - rate))));
        return tf.math.mul(x, mask);
    }

    /**
     * The sinusoidal embedding of Ho et al. of {@code s = t * scale}: {@code [sin(s f_k), cos(s f_k)]}
     * with {@code f_k = exp(-ln(10000) k / (dim/2 - 1))}, computed in double precision (the argument
     * reaches 1000 and more) and rounded once.
     */
    Operand<TFloat32> timeEmbedding(Operand<TFloat64> t, int dim, double scale) {
        int half = dim / 2;
        double[] frequencies = new double[half];
        for (int k = 0; k < half; k++) {
            frequencies[k] = Math.exp(-Math.log(10000) * k / (half - 1));
        }
        Operand<TFloat64> s = tf.expandDims(tf.math.mul(t, tf.constant(scale)), tf.constant(1));
        Operand<TFloat64> arguments = tf.math.mul(s, tf.expandDims(tf.constant(frequencies), tf.constant(0)));
        Operand<TFloat64> embedding = tf.concat(List.of(tf.math.sin(arguments), tf.math.cos(arguments)), tf.constant(1));
        return tf.dtypes.cast(embedding, TFloat32.class);
    }

    /**
     * The rows {@code class_embedding.weight[y]} of a table {@code [classes + 1, dim]}; label
     * {@code -1} (the null class) selects the last row.
     */
    Operand<TFloat32> classEmbedding(Operand<TInt32> labels, int classes, int dim) {
        Operand<TFloat32> table = parameter("class_embedding.weight", Parameter.Kind.NORMAL, 1, classes + 1, dim);
        Operand<TInt32> rows = tf.select(tf.math.less(labels, tf.constant(0)), tf.fill(tf.shape(labels), tf.constant(classes)), labels);
        return tf.gather(table, rows, tf.constant(0));
    }

    /** Rows {@code name.weight[y]} of a table {@code [rows, dim]} (labels checked on the host). */
    Operand<TFloat32> embedding(Operand<TInt32> labels, String name, int rows, int dim) {
        Operand<TFloat32> table = parameter(name + ".weight", Parameter.Kind.NORMAL, 1, rows, dim);
        return tf.gather(table, labels, tf.constant(0));
    }

    /** NCHW (the neutral layout) to NHWC. */
    Operand<TFloat32> toNhwc(Operand<TFloat32> x) {
        return tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 3, 1}));
    }

    /** NHWC to NCHW. */
    Operand<TFloat32> toNchw(Operand<TFloat32> x) {
        return tf.linalg.transpose(x, tf.constant(new int[] {0, 3, 1, 2}));
    }

    /** Concatenation along the channel axis (NHWC). */
    Operand<TFloat32> concatChannels(Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.concat(List.of(a, b), tf.constant(3));
    }

    /** Nearest-neighbour 2x upsampling: each pixel becomes a 2x2 block. */
    Operand<TFloat32> upsample(Operand<TFloat32> x) {
        long[] s = staticShape(x);
        Operand<TFloat32> wide = tf.reshape(tf.concat(List.of(x, x), tf.constant(3)), tf.constant(new long[] {-1, s[1], 2 * s[2], s[3]}));
        return tf.reshape(tf.concat(List.of(wide, wide), tf.constant(2)), tf.constant(new long[] {-1, 2 * s[1], 2 * s[2], s[3]}));
    }

    /** Mean over the pixels of NHWC features: {@code [n, c]}. */
    Operand<TFloat32> meanOverPixels(Operand<TFloat32> x) {
        return tf.math.mean(x, tf.constant(new int[] {1, 2}));
    }

    /**
     * Multi-head self-attention over the pixels with a residual connection: q, k, v from one 1x1
     * convolution of the group-normalised input (q the first {@code channels} outputs, k the next,
     * v the last; head j the channels {@code j*dh .. (j+1)*dh-1} of each), softmax over the keys of
     * {@code q k^T / sqrt(dh)}, heads concatenated and projected by another 1x1 convolution.
     */
    Operand<TFloat32> attention(Operand<TFloat32> h, String name, int channels, int heads, int groups) {
        if (channels % heads != 0) {
            throw new InvalidParameterException("heads", heads, "must divide the " + channels + " channels of '" + name + "'");
        }
        long[] s = staticShape(h);
        long pixels = s[1] * s[2];
        int dh = channels / heads;
        Operand<TFloat32> qkv = conv(groupNorm(h, name + ".norm", channels, groups), name + ".qkv", channels, 3 * channels, 1, 1);
        // [n, P, 3, heads, dh] -> [3, n, heads, P, dh]
        Operand<TFloat32> split = tf.linalg.transpose(tf.reshape(qkv, tf.constant(new long[] {-1, pixels, 3, heads, dh})),
                tf.constant(new int[] {2, 0, 3, 1, 4}));
        List<org.tensorflow.Output<TFloat32>> parts = tf.unstack(split, 3L).output();
        Operand<TFloat32> scores = tf.math.mul(tf.train.batchMatMul(parts.get(0), parts.get(1), TFloat32.class, BatchMatMul.adjY(true)),
                tf.constant((float) (1 / Math.sqrt(dh))));
        Operand<TFloat32> out = tf.train.batchMatMul(tf.nn.softmax(scores), parts.get(2), TFloat32.class); // [n, heads, P, dh]
        Operand<TFloat32> merged = tf.reshape(tf.linalg.transpose(out, tf.constant(new int[] {0, 2, 1, 3})),
                tf.constant(new long[] {-1, s[1], s[2], channels}));
        return tf.math.add(h, zeroConv(merged, name + ".proj", channels, channels, 1));
    }

    /** A dense layer applied to each token of {@code x [n, P, in]}: {@code [n, P, out]}. */
    Operand<TFloat32> denseTokens(Operand<TFloat32> x, String name, int in, int out) {
        long tokens = x.shape().get(1);
        Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, in}));
        return tf.reshape(dense(flat, name, in, out), tf.constant(new long[] {-1, tokens, out}));
    }

    /**
     * Scaled dot-product attention of {@code q, k, v [n, P, heads * dh]} (head j in features
     * {@code j dh .. (j+1) dh - 1}): per head {@code softmax_keys(q k^T / sqrt(dh)) v}, heads
     * concatenated again: {@code [n, P, heads * dh]}.
     */
    Operand<TFloat32> dotProductAttention(Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v, int heads) {
        long tokens = q.shape().get(1);
        long inner = q.shape().get(2);
        long dh = inner / heads;
        Operand<TInt32> perm = tf.constant(new int[] {0, 2, 1, 3});
        Operand<TInt64> split = tf.constant(new long[] {-1, tokens, heads, dh});
        Operand<TFloat32> qh = tf.linalg.transpose(tf.reshape(q, split), perm);
        Operand<TFloat32> kh = tf.linalg.transpose(tf.reshape(k, split), perm);
        Operand<TFloat32> vh = tf.linalg.transpose(tf.reshape(v, split), perm);
        Operand<TFloat32> scores = tf.math.mul(tf.train.batchMatMul(qh, kh, TFloat32.class, BatchMatMul.adjY(true)),
                tf.constant((float) (1 / Math.sqrt(dh))));
        Operand<TFloat32> out = tf.train.batchMatMul(tf.nn.softmax(scores), vh, TFloat32.class);      // [n, heads, P, dh]
        return tf.reshape(tf.linalg.transpose(out, perm), tf.constant(new long[] {-1, tokens, inner}));
    }

    /** The static shape of an NHWC feature map (batch unknown). */
    private static long[] staticShape(Operand<TFloat32> x) {
        Shape s = x.shape();
        return s.asArray();
    }
}
