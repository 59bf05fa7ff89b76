package org.ddpm4j.backend.tf;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.ddpm4j.api.training.DiffusersUNetConfig;
import org.ddpm4j.api.training.NetworkSpec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * diffusers' {@code UNet2DModel} ({@code diffusers-unet}, see {@link DiffusersUNetConfig}) with
 * diffusers' parameter names, computed in NHWC: down blocks of resnets (each followed by attention
 * in an {@code AttnDownBlock2D}) and a stride-2 convolution, a middle block (resnet, attention,
 * resnet), up blocks that concatenate the skips and upsample by nearest neighbour and a 3x3
 * convolution.
 */
record DiffusersUNet(DiffusersUNetConfig config) implements Architecture {

    static DiffusersUNet of(NetworkSpec spec) {
        return new DiffusersUNet(DiffusersUNetConfig.of(spec));
    }

    /** A feature map and its channel count. */
    private record Features(Operand<TFloat32> value, int channels) {
    }

    @Override
    public Operand<TFloat32> forward(Layers l, Operand<TFloat32> x, Operand<TFloat64> t, Operand<TInt32> labels) {
        Ops tf = l.tf();
        int c0 = config.width(0);
        int temb = config.timeEmbedDim();
        Operand<TFloat32> e = l.dense(l.silu(l.dense(timesteps(tf, t), "time_embedding.linear_1", c0, temb)), "time_embedding.linear_2", temb, temb);
        if (config.classes() > 0) {
            e = tf.math.add(e, l.embedding(labels, "class_embedding", config.classes(), temb));
        }
        Operand<TFloat32> siluE = l.silu(e);
        Operand<TFloat32> input = l.toNhwc(x);
        if (config.centerInput()) {
            input = tf.math.sub(tf.math.mul(input, tf.constant(2f)), tf.constant(1f));
        }
        Features h = new Features(l.conv(input, "conv_in", config.inChannels(), c0, 3, 1), c0);
        Deque<Features> skips = new ArrayDeque<>();
        skips.push(h);
        int layers = config.layersPerBlock();
        for (int i = 0; i < config.levels(); i++) {
            String b = "down_blocks." + i;
            for (int j = 0; j < layers; j++) {
                h = resnet(l, b + ".resnets." + j, h, config.width(i), siluE, 1);
                if (config.downAttention(i)) {
                    h = attention(l, b + ".attentions." + j, h, config.groups(), 1);
                }
                skips.push(h);
            }
            if (i < config.levels() - 1) {
                int p = config.downsamplePadding();
                h = new Features(l.conv(h.value(), b + ".downsamplers.0.conv", h.channels(), h.channels(), 3, 2, p, p == 0 ? 1 : p), h.channels());
                skips.push(h);
            }
        }
        if (config.midBlock()) {
            float scale = (float) config.midScale();
            h = resnet(l, "mid_block.resnets.0", h, h.channels(), siluE, scale);
            if (config.hasMidAttention()) {
                h = attention(l, "mid_block.attentions.0", h, config.midAttentionGroups(), scale);
            }
            h = resnet(l, "mid_block.resnets.1", h, h.channels(), siluE, scale);
        }
        for (int i = 0; i < config.levels(); i++) {
            String b = "up_blocks." + i;
            int out = config.width(config.levels() - 1 - i);
            for (int j = 0; j <= layers; j++) {
                Features skip = skips.pop();
                Features joined = new Features(l.concatChannels(h.value(), skip.value()), h.channels() + skip.channels());
                h = resnet(l, b + ".resnets." + j, joined, out, siluE, 1);
                if (config.upAttention(i)) {
                    h = attention(l, b + ".attentions." + j, h, config.groups(), 1);
                }
            }
            if (i < config.levels() - 1) {
                h = new Features(l.conv(l.upsample(h.value()), b + ".upsamplers.0.conv", out, out, 3, 1), out);
            }
        }
        Operand<TFloat32> normed = l.groupNormSilu(h.value(), "conv_norm_out", h.channels(), config.groups(), (float) config.eps());
        return l.toNchw(l.conv(normed, "conv_out", h.channels(), config.outChannels(), 3, 1));
    }

    /** diffusers' sinusoidal embedding of the timesteps, in float32 as PyTorch computes it. */
    private Operand<TFloat32> timesteps(Ops tf, Operand<TFloat64> t) {
        float[] f = config.timestepFrequencies();
        Operand<TFloat32> args = tf.math.mul(tf.expandDims(tf.dtypes.cast(t, TFloat32.class), tf.constant(1)),
                tf.expandDims(tf.constant(f), tf.constant(0)));
        Operand<TFloat32> sin = tf.math.sin(args);
        Operand<TFloat32> cos = tf.math.cos(args);
        return tf.concat(config.flipSinToCos() ? List.of(cos, sin) : List.of(sin, cos), tf.constant(1));
    }

    /** {@code ResnetBlock2D}: {@code (shortcut(h) + conv2(dropout(SiLU(norm2(conv1(SiLU(norm1 h)) + proj(e)))))) / scale}. */
    private Features resnet(Layers l, String name, Features h, int out, Operand<TFloat32> siluE, float scale) {
        Ops tf = l.tf();
        int in = h.channels();
        int g = config.groups();
        float eps = (float) config.eps();
        Operand<TFloat32> r = l.conv(l.groupNormSilu(h.value(), name + ".norm1", in, g, eps), name + ".conv1", in, out, 3, 1);
        Operand<TFloat32> time = l.dense(siluE, name + ".time_emb_proj", config.timeEmbedDim(), out);
        r = tf.math.add(r, tf.reshape(time, tf.constant(new long[] {-1, 1, 1, out})));
        r = l.conv(l.dropout(l.groupNormSilu(r, name + ".norm2", out, g, eps), config.dropout()), name + ".conv2", out, out, 3, 1);
        Operand<TFloat32> skip = in == out ? h.value() : l.conv(h.value(), name + ".conv_shortcut", in, out, 1, 1);
        Operand<TFloat32> sum = tf.math.add(skip, r);
        return new Features(scale == 1 ? sum : tf.math.div(sum, tf.constant(scale)), out);
    }

    /** diffusers' {@code Attention} over pixels with group norm, linear q/k/v/out and a residual connection. */
    private Features attention(Layers l, String name, Features h, int groups, float scale) {
        Ops tf = l.tf();
        int c = h.channels();
        int inner = config.heads(c) * config.headDim(c);
        long[] s = h.value().shape().asArray();
        Operand<TFloat32> tokens = tf.reshape(l.groupNorm(h.value(), name + ".group_norm", c, groups, (float) config.eps()),
                tf.constant(new long[] {-1, s[1] * s[2], c}));
        Operand<TFloat32> o = l.dotProductAttention(l.denseTokens(tokens, name + ".to_q", c, inner), l.denseTokens(tokens, name + ".to_k", c, inner),
                l.denseTokens(tokens, name + ".to_v", c, inner), config.heads(c));
        Operand<TFloat32> projected = tf.reshape(l.denseTokens(o, name + ".to_out.0", inner, c), tf.constant(new long[] {-1, s[1], s[2], c}));
        Operand<TFloat32> sum = tf.math.add(projected, h.value());
        return new Features(scale == 1 ? sum : tf.math.div(sum, tf.constant(scale)), c);
    }
}
