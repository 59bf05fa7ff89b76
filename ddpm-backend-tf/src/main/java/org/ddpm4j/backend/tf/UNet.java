package org.ddpm4j.backend.tf;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.training.NetworkSpec;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The {@code unet} of {@code docs/NETWORKS.md} (DDPM / Improved-DDPM): residual blocks with group
 * norm, SiLU and the time embedding added in every block, self-attention at the chosen levels,
 * stride-2 convolutions down, nearest-neighbour upsampling and skip connections up. As a
 * classifier it keeps the down path and the middle, then {@code "head"} maps the pixel mean of
 * {@code SiLU(GroupNorm(h))} to K logits. Computed in NHWC; inputs and outputs are NCHW.
 *
 * @param shape           the sample shape {@code [C_in, H, W]}
 * @param channels        base width C
 * @param multipliers     width multiplier per level
 * @param resBlocks       residual blocks per level on the way down
 * @param attentionLevels whether each level has attention
 * @param heads           attention heads
 * @param groups          groups of every group norm
 * @param dropout         dropout rate inside the residual blocks
 * @param timeScale       the embedding sees {@code t * timeScale}
 * @param classes         classes of the class embedding (0: none)
 * @param logits          outputs of the classifier head (0: a denoiser)
 * @param outputs         output channels of a denoiser: C_in, or 2 C_in with a variance output
 */
record UNet(int[] shape, int channels, int[] multipliers, int resBlocks, boolean[] attentionLevels, int heads, int groups,
            double dropout, double timeScale, int classes, int logits, int outputs) implements Architecture {

    static UNet of(NetworkSpec spec, Parameters p, boolean classifier) {
        int[] shape = Architecture.sampleShape(spec, 3, "sample_shape [C, H, W]");
        int channels = p.getInt("channels", 64);
        if (channels < 4 || channels % 2 != 0) {
            throw new InvalidParameterException(p.qualify("channels"), channels, "must be an even number >= 4 (the time embedding has this many features)");
        }
        int[] mult = p.has("channel_mult") ? p.requireIntArray("channel_mult") : new int[] {1, 2, 2};
        if (mult.length == 0 || Arrays.stream(mult).anyMatch(m -> m < 1)) {
            throw new InvalidParameterException(p.qualify("channel_mult"), Arrays.toString(mult), "must be a non-empty list of integers >= 1");
        }
        int levels = mult.length;
        int factor = 1 << (levels - 1);
        if (shape[1] % factor != 0 || shape[2] % factor != 0) {
            throw new InvalidParameterException("sample_shape", Arrays.toString(shape),
                    "H and W must be multiples of 2^(levels-1) = " + factor + " for " + levels + " levels (" + p.qualify("channel_mult") + ")");
        }
        boolean[] attention = new boolean[levels];
        int[] levelsWithAttention = p.has("attention_levels") ? p.requireIntArray("attention_levels") : new int[] {levels - 1};
        for (int a : levelsWithAttention) {
            attention[Checks.closed(p.qualify("attention_levels") + " entry", a, 0, levels - 1)] = true;
        }
        return new UNet(shape, channels, mult, Checks.atLeast(p.qualify("num_res_blocks"), p.getInt("num_res_blocks", 2), 1),
                attention, Checks.atLeast(p.qualify("heads"), p.getInt("heads", 1), 1), Checks.atLeast(p.qualify("groups"), p.getInt("groups", 8), 1),
                Mlp.dropout(p, 0.1), Checks.positive(p.qualify("time_scale"), p.getDouble("time_scale", 1.0)),
                classifier ? 0 : spec.numClasses(), classifier ? spec.numClasses() : 0, classifier ? 0 : spec.outputChannels());
    }

    /** A feature map and its channel count. */
    private record Features(Operand<TFloat32> value, int channels) {
    }

    @Override
    public Operand<TFloat32> forward(Layers l, Operand<TFloat32> x, Operand<TFloat64> t, Operand<TInt32> labels) {
        int time = 4 * channels;
        Operand<TFloat32> e = l.dense(l.silu(l.dense(l.timeEmbedding(t, channels, timeScale), "time.0", channels, time)),
                "time.2", time, time);
        if (classes > 0) {
            e = l.tf().math.add(e, l.classEmbedding(labels, classes, time));
        }
        Operand<TFloat32> siluE = l.silu(e);
        int levels = multipliers.length;
        Features h = new Features(l.conv(l.toNhwc(x), "input", shape[0], channels, 3, 1), channels);
        Deque<Features> skips = new ArrayDeque<>();
        skips.push(h);
        for (int level = 0; level < levels; level++) {
            for (int r = 0; r < resBlocks; r++) {
                h = block(l, "down." + level + "." + r, h, channels * multipliers[level], siluE, level);
                skips.push(h);
            }
            if (level < levels - 1) {
                h = new Features(l.conv(h.value(), "down." + level + ".downsample", h.channels(), h.channels(), 3, 2), h.channels());
                skips.push(h);
            }
        }
        h = resBlock(l, "mid.0", h, h.channels(), siluE);
        h = new Features(l.attention(h.value(), "mid.attn", h.channels(), heads, groups), h.channels());
        h = resBlock(l, "mid.1", h, h.channels(), siluE);
        if (logits > 0) {
            Operand<TFloat32> pooled = l.meanOverPixels(l.groupNormSilu(h.value(), "out.norm", h.channels(), groups));
            return l.head(pooled, h.channels(), logits);
        }
        for (int level = levels - 1; level >= 0; level--) {
            for (int r = 0; r <= resBlocks; r++) {
                Features skip = skips.pop();
                Features joined = new Features(l.concatChannels(h.value(), skip.value()), h.channels() + skip.channels());
                h = block(l, "up." + level + "." + r, joined, channels * multipliers[level], siluE, level);
            }
            if (level > 0) {
                h = new Features(l.conv(l.upsample(h.value()), "up." + level + ".upsample", h.channels(), h.channels(), 3, 1), h.channels());
            }
        }
        Operand<TFloat32> out = l.zeroConv(l.groupNormSilu(h.value(), "out.norm", h.channels(), groups), "out.conv", h.channels(), outputs, 3);
        return l.toNchw(out);
    }

    /** A residual block, followed by attention on the levels that have it. */
    private Features block(Layers l, String name, Features h, int out, Operand<TFloat32> siluE, int level) {
        Features r = resBlock(l, name, h, out, siluE);
        return attentionLevels[level] ? new Features(l.attention(r.value(), name + ".attn", out, heads, groups), out) : r;
    }

    private Features resBlock(Layers l, String name, Features h, int out, Operand<TFloat32> siluE) {
        int in = h.channels();
        Operand<TFloat32> r = l.conv(l.groupNormSilu(h.value(), name + ".norm1", in, groups), name + ".conv1", in, out, 3, 1);
        Operand<TFloat32> time = l.dense(siluE, name + ".time", 4 * channels, out);
        r = l.tf().math.add(r, l.tf().reshape(time, l.tf().constant(new long[] {-1, 1, 1, out})));
        r = l.zeroConv(l.dropout(l.groupNormSilu(r, name + ".norm2", out, groups), dropout), name + ".conv2", out, out, 3);
        Operand<TFloat32> skip = in == out ? h.value() : l.conv(h.value(), name + ".skip", in, out, 1, 1);
        return new Features(l.tf().math.add(skip, r), out);
    }
}
