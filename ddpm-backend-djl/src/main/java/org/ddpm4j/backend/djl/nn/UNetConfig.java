package org.ddpm4j.backend.djl.nn;

import java.util.Arrays;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;

/**
 * The hyper-parameters of the {@code unet} network (docs/NETWORKS.md).
 *
 * @param channels        base width {@code C}
 * @param channelMult     width multiplier per level; {@code L = channelMult.length} levels
 * @param numResBlocks    residual blocks per level on the way down
 * @param attentionLevels levels with self-attention after each residual block
 * @param heads           attention heads
 * @param groups          groups of every GroupNorm
 * @param dropout         dropout rate inside residual blocks
 * @param timeScale       the network embeds {@code s = t * timeScale}
 */
record UNetConfig(int channels, int[] channelMult, int numResBlocks, int[] attentionLevels, int heads, int groups,
                         double dropout, double timeScale) {

    public int levels() {
        return channelMult.length;
    }

    /** The width of level {@code l}. */
    public int width(int level) {
        return channels * channelMult[level];
    }

    public boolean attention(int level) {
        return Arrays.stream(attentionLevels).anyMatch(a -> a == level);
    }

    /** Time features {@code T = 4 C}. */
    public int timeFeatures() {
        return 4 * channels;
    }

    /**
     * Reads and checks the keys of docs/NETWORKS.md for images of {@code sampleShape = [C_in, H, W]};
     * any other key is an error.
     */
    static UNetConfig from(Parameters p, int[] sampleShape) {
        int c = NetworkChecks.timeEmbedding(p.qualify("channels"), p.getInt("channels", 64));
        int[] mult = p.has("channel_mult") ? p.requireIntArray("channel_mult") : new int[] {1, 2, 2};
        if (mult.length == 0 || Arrays.stream(mult).anyMatch(m -> m < 1)) {
            throw new InvalidParameterException(p.qualify("channel_mult"), mult, "must be a non-empty list of integers >= 1");
        }
        int levels = mult.length;
        int[] attention = p.has("attention_levels") ? p.requireIntArray("attention_levels") : new int[] {levels - 1};
        for (int a : attention) {
            if (a < 0 || a >= levels) {
                throw new InvalidParameterException(p.qualify("attention_levels"), attention, "levels must lie in [0, " + (levels - 1) + "]");
            }
        }
        UNetConfig config = new UNetConfig(c, mult, Checks.atLeast(p.qualify("num_res_blocks"), p.getInt("num_res_blocks", 2), 1),
                attention, Checks.atLeast(p.qualify("heads"), p.getInt("heads", 1), 1), Checks.atLeast(p.qualify("groups"), p.getInt("groups", 8), 1),
                NetworkChecks.dropout(p.qualify("dropout"), p.getDouble("dropout", 0.1)),
                Checks.positive(p.qualify("time_scale"), p.getDouble("time_scale", 1.0)));
        p.requireAllUsed();
        NetworkChecks.divides(p.qualify("groups"), config.groups, "channels", c);
        for (int l = 0; l < levels; l++) {
            NetworkChecks.divides(p.qualify("groups"), config.groups, "the width of level " + l, config.width(l));
            if (config.attention(l) || l == levels - 1) {
                NetworkChecks.divides(p.qualify("heads"), config.heads, "the width of attention level " + l, config.width(l));
            }
        }
        if (sampleShape.length != 3) {
            throw new InvalidParameterException("sample_shape", sampleShape, "must be [channels, height, width] for the unet");
        }
        int factor = 1 << (levels - 1);
        if (sampleShape[1] % factor != 0 || sampleShape[2] % factor != 0) {
            throw new InvalidParameterException("sample_shape", sampleShape, "height and width must be multiples of 2^(levels-1) = "
                    + factor + " for " + levels + " levels (channel_mult " + Arrays.toString(mult) + ")");
        }
        return config;
    }
}
