package org.ddpm4j.api.training;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;

/**
 * The {@code diffusers-unet} architecture: diffusers' {@code UNet2DModel} read from its
 * {@code config.json} (the keys are the hyper-parameters of the {@link NetworkSpec}). Missing keys
 * take diffusers' defaults, which are not those of most published checkpoints (google/ddpm-cifar10-32
 * has {@code freq_shift 1}, {@code flip_sin_to_cos false}, {@code downsample_padding 0},
 * {@code norm_eps 1e-6}). A JSON {@code null} means what Python's {@code None} means to diffusers
 * ({@code attention_head_dim: null}: one head of all channels; {@code mid_block_type: null}: no
 * middle block). Keys that are not constructor arguments of {@code UNet2DModel} are ignored, as
 * diffusers ignores them ({@link #ignoredKeys()}); a value this implementation does not support is
 * an error naming the key.
 *
 * <p>Every backend builds the same network from this plan, with diffusers' parameter names
 * ({@link #parameters()}), so a model folder's safetensors load by name.
 */
public final class DiffusersUNetConfig {
    /** The architecture name in a {@link NetworkSpec}. */
    public static final String ARCHITECTURE = "diffusers-unet";

    private static final Set<String> KNOWN = Set.of("sample_size", "in_channels", "out_channels", "center_input_sample",
            "time_embedding_type", "time_embedding_dim", "freq_shift", "flip_sin_to_cos", "down_block_types", "mid_block_type",
            "up_block_types", "block_out_channels", "layers_per_block", "mid_block_scale_factor", "downsample_padding",
            "downsample_type", "upsample_type", "dropout", "act_fn", "attention_head_dim", "norm_num_groups",
            "attn_norm_num_groups", "norm_eps", "resnet_time_scale_shift", "add_attention", "class_embed_type",
            "num_class_embeds", "num_train_timesteps");

    private final int channels;
    private final int outChannels;
    private final int[] blockOut;
    private final boolean[] downAttention;
    private final boolean[] upAttention;
    private final int layersPerBlock;
    private final boolean midBlock;
    private final double midScale;
    private final int downsamplePadding;
    private final double dropout;
    private final Integer attentionHeadDim;
    private final int groups;
    private final int attentionGroups;
    private final double eps;
    private final boolean addAttention;
    private final int classes;
    private final int timeEmbedDim;
    private final boolean centerInput;
    private final boolean flipSinToCos;
    private final double freqShift;
    private final int sampleSize;
    private final List<String> ignored;

    private DiffusersUNetConfig(Parameters p, int[] sampleShape, int numClasses, boolean learnedVariance) {
        Map<String, Object> raw = p.asMap();
        p.markUsed(KNOWN.toArray(String[]::new));    // every UNet2DModel argument is read below; the rest is reported
        if (sampleShape.length != 3) {
            throw new InvalidParameterException("sample_shape", sampleShape, "must be [channels, height, width] for " + ARCHITECTURE);
        }
        channels = p.getInt("in_channels", 3);
        if (channels != sampleShape[0]) {
            throw new InvalidParameterException(p.qualify("in_channels"), channels, "must equal the sample's channels " + sampleShape[0]);
        }
        outChannels = p.getInt("out_channels", 3);
        if (outChannels != channels * (learnedVariance ? 2 : 1)) {
            throw new InvalidParameterException(p.qualify("out_channels"), outChannels, learnedVariance
                    ? "must be twice in_channels " + channels + " for a learned variance (the prediction, then the variance channels)"
                    : "must equal in_channels " + channels + " (a denoiser predicts a sample-shaped output; twice in_channels needs a "
                            + "scheduler with variance_type learned or learned_range)");
        }
        sampleSize = p.has("sample_size") && raw.get("sample_size") instanceof Number ? p.getInt("sample_size", 0) : sampleShape[1];
        centerInput = p.getBoolean("center_input_sample", false);
        choice(p, "time_embedding_type", "positional");
        choice(p, "downsample_type", "conv");
        choice(p, "upsample_type", "conv");
        choice(p, "resnet_time_scale_shift", "default");
        String act = p.getString("act_fn", "silu");
        if (!act.equals("silu") && !act.equals("swish")) {
            throw new InvalidParameterException(p.qualify("act_fn"), act, "only silu (swish) is supported");
        }
        if (p.has("class_embed_type")) {
            throw new InvalidParameterException(p.qualify("class_embed_type"), raw.get("class_embed_type"),
                    "only null (a table of num_class_embeds rows) is supported");
        }
        freqShift = p.getDouble("freq_shift", 0);
        flipSinToCos = p.getBoolean("flip_sin_to_cos", true);
        blockOut = p.has("block_out_channels") ? p.requireIntArray("block_out_channels") : new int[] {224, 448, 672, 896};
        int levels = blockOut.length;
        if (levels == 0 || Arrays.stream(blockOut).anyMatch(c -> c < 1)) {
            throw new InvalidParameterException(p.qualify("block_out_channels"), blockOut, "must be a non-empty list of positive integers");
        }
        downAttention = blockTypes(p, "down_block_types", List.of("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"),
                "DownBlock2D", "AttnDownBlock2D", levels);
        upAttention = blockTypes(p, "up_block_types", List.of("AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
                "UpBlock2D", "AttnUpBlock2D", levels);
        layersPerBlock = Checks.atLeast(p.qualify("layers_per_block"), p.getInt("layers_per_block", 2), 1);
        if (raw.containsKey("mid_block_type") && raw.get("mid_block_type") == null) {
            midBlock = false;
        } else {
            choice(p, "mid_block_type", "UNetMidBlock2D");
            midBlock = true;
        }
        midScale = Checks.positive(p.qualify("mid_block_scale_factor"), p.getDouble("mid_block_scale_factor", 1));
        downsamplePadding = Checks.atLeast(p.qualify("downsample_padding"), p.getInt("downsample_padding", 1), 0);
        dropout = Checks.closed(p.qualify("dropout"), p.getDouble("dropout", 0), 0, 0.999);
        if (raw.containsKey("attention_head_dim") && raw.get("attention_head_dim") == null) {
            attentionHeadDim = null;
        } else {
            attentionHeadDim = Checks.atLeast(p.qualify("attention_head_dim"), p.getInt("attention_head_dim", 8), 1);
        }
        groups = Checks.atLeast(p.qualify("norm_num_groups"), p.getInt("norm_num_groups", 32), 1);
        attentionGroups = p.has("attn_norm_num_groups") ? Checks.atLeast(p.qualify("attn_norm_num_groups"), p.requireInt("attn_norm_num_groups"), 1) : groups;
        eps = Checks.positive(p.qualify("norm_eps"), p.getDouble("norm_eps", 1e-5));
        addAttention = p.getBoolean("add_attention", true);
        classes = p.has("num_class_embeds") ? Checks.atLeast(p.qualify("num_class_embeds"), p.requireInt("num_class_embeds"), 1) : 0;
        if (classes != numClasses) {
            throw new InvalidParameterException(p.qualify("num_class_embeds"), classes == 0 ? null : classes,
                    "must match the network's num_classes " + numClasses);
        }
        timeEmbedDim = p.has("time_embedding_dim") ? Checks.atLeast(p.qualify("time_embedding_dim"), p.requireInt("time_embedding_dim"), 1)
                : 4 * blockOut[0];
        ignored = List.copyOf(p.unusedKeys());
        checkDivisibility(p, sampleShape);
    }

    /**
     * The configuration of {@code spec}, whose hyper-parameters are the keys of a diffusers
     * {@code config.json} (keys starting with {@code _} are metadata and skipped).
     */
    public static DiffusersUNetConfig of(NetworkSpec spec) {
        if (!spec.architecture().equals(ARCHITECTURE)) {
            throw new InvalidParameterException("architecture", spec.architecture(), "must be " + ARCHITECTURE);
        }
        Map<String, Object> keys = new LinkedHashMap<>();
        spec.hyperparameters().asMap().forEach((k, v) -> {
            if (!k.startsWith("_")) {
                keys.put(k, v);
            }
        });
        return new DiffusersUNetConfig(Parameters.of(keys).scoped("hyperparameters"), spec.sampleShape(), spec.numClasses(),
                spec.varianceOutput() != org.ddpm4j.api.model.VarianceOutput.NONE);
    }

    private static void choice(Parameters p, String key, String only) {
        String v = p.getString(key, only);
        if (!v.equals(only)) {
            throw new InvalidParameterException(p.qualify(key), v, "only " + only + " is supported");
        }
    }

    private static boolean[] blockTypes(Parameters p, String key, List<String> defaults, String plain, String attention, int levels) {
        List<?> types = p.has(key) ? (p.asMap().get(key) instanceof List<?> l ? l : null) : defaults;
        if (types == null) {
            throw new InvalidParameterException(p.qualify(key), p.asMap().get(key), "must be a list of block type names");
        }
        if (types.size() != levels) {
            throw new InvalidParameterException(p.qualify(key), types.toString(), "must have one entry per block_out_channels entry (" + levels + ")");
        }
        boolean[] attn = new boolean[levels];
        for (int i = 0; i < levels; i++) {
            String t = String.valueOf(types.get(i));
            String name = t.startsWith("UNetRes") ? t.substring(7) : t;   // diffusers strips this prefix too
            if (name.equals(attention)) {
                attn[i] = true;
            } else if (!name.equals(plain)) {
                throw new InvalidParameterException(p.qualify(key) + "[" + i + "]", t, "unsupported block type; supported: " + plain + ", " + attention);
            }
        }
        return attn;
    }

    private void checkDivisibility(Parameters p, int[] sampleShape) {
        for (int c : blockOut) {
            if (c % groups != 0) {
                throw new InvalidParameterException(p.qualify("norm_num_groups"), groups, "must divide every block_out_channels entry " + Arrays.toString(blockOut));
            }
        }
        for (int l = 0; l < levels(); l++) {
            int c = blockOut[l];
            if (l == levels() - 1 && hasMidAttention() && c % attentionGroups != 0) {
                throw new InvalidParameterException(p.qualify("attn_norm_num_groups"), attentionGroups, "must divide the attention channels " + c);
            }
            if ((downAttention[l] || upAttention[levels() - 1 - l] || (l == levels() - 1 && hasMidAttention())) && heads(c) < 1) {
                throw new InvalidParameterException(p.qualify("attention_head_dim"), attentionHeadDim, "exceeds the " + c + " channels of level " + l);
            }
        }
        int factor = 1 << (levels() - 1);
        if (sampleShape[1] % factor != 0 || sampleShape[2] % factor != 0) {
            throw new InvalidParameterException("sample_shape", sampleShape, "height and width must be multiples of 2^(levels-1) = " + factor);
        }
    }

    public int levels() {
        return blockOut.length;
    }

    public int inChannels() {
        return channels;
    }

    /** {@code out_channels}: {@code in_channels}, or twice that with a learned variance. */
    public int outChannels() {
        return outChannels;
    }

    /** {@code block_out_channels[level]}. */
    public int width(int level) {
        return blockOut[level];
    }

    public boolean downAttention(int level) {
        return downAttention[level];
    }

    /** Attention in up block {@code i} (0 is the deepest). */
    public boolean upAttention(int upBlock) {
        return upAttention[upBlock];
    }

    public int layersPerBlock() {
        return layersPerBlock;
    }

    public boolean midBlock() {
        return midBlock;
    }

    public boolean hasMidAttention() {
        return midBlock && addAttention;
    }

    /** The middle block's {@code output_scale_factor}: its residual sums are divided by it. */
    public double midScale() {
        return midScale;
    }

    /** Padding of the stride-2 downsampling convolution; 0 means right and bottom by one pixel. */
    public int downsamplePadding() {
        return downsamplePadding;
    }

    public double dropout() {
        return dropout;
    }

    /** GroupNorm groups of residual blocks and the output. */
    public int groups() {
        return groups;
    }

    /** GroupNorm groups of the middle block's attention ({@code attn_norm_num_groups}; the others use {@link #groups()}). */
    public int midAttentionGroups() {
        return attentionGroups;
    }

    /** Epsilon of every GroupNorm. */
    public double eps() {
        return eps;
    }

    public int classes() {
        return classes;
    }

    public int timeEmbedDim() {
        return timeEmbedDim;
    }

    public boolean centerInput() {
        return centerInput;
    }

    public boolean flipSinToCos() {
        return flipSinToCos;
    }

    public double freqShift() {
        return freqShift;
    }

    public int sampleSize() {
        return sampleSize;
    }

    /**
     * The frequencies of diffusers' sinusoidal timestep embedding ({@code get_timestep_embedding}),
     * rounded as PyTorch computes them in float32: {@code exp(-ln(10000) k / (half - freq_shift))},
     * {@code half = block_out_channels[0] / 2}. The embedding of t is {@code [sin(t f), cos(t f)]}
     * ({@code [cos, sin]} when {@code flip_sin_to_cos}), the products {@code t f} in float32, and one
     * zero column more when the width is odd.
     */
    public float[] timestepFrequencies() {
        int half = blockOut[0] / 2;
        float[] f = new float[half];
        float minusLog = (float) -Math.log(10000);
        float denominator = (float) (half - freqShift);
        for (int k = 0; k < half; k++) {
            f[k] = (float) Math.exp((minusLog * k) / denominator);
        }
        return f;
    }

    /** Attention head width for {@code c} channels: {@code attention_head_dim}, or c when null. */
    public int headDim(int c) {
        return attentionHeadDim == null ? c : attentionHeadDim;
    }

    /** Attention heads for {@code c} channels ({@code c / head_dim}, rounded down as diffusers does). */
    public int heads(int c) {
        return c / headDim(c);
    }

    /** Keys of the configuration that are not {@code UNet2DModel} arguments (diffusers ignores them too). */
    public List<String> ignoredKeys() {
        return ignored;
    }

    /** Input channels of resnet {@code j} of up block {@code i}, and its skip channels: {@code [in, skip]}. */
    public int[] upResnetChannels(int i, int j) {
        int l = levels();
        int prev = blockOut[l - 1 - Math.max(i - 1, 0)];
        int out = blockOut[l - 1 - i];
        int in = blockOut[l - 1 - Math.min(i + 1, l - 1)];
        int skip = j == layersPerBlock ? in : out;
        int resIn = j == 0 ? prev : out;
        return new int[] {resIn, skip};
    }

    /** Input channels of down block {@code i}. */
    public int downInput(int i) {
        return blockOut[Math.max(i - 1, 0)];
    }

    /** Every parameter's name and shape, in the order of diffusers' state dict. */
    public Map<String, int[]> parameters() {
        Map<String, int[]> p = new LinkedHashMap<>();
        int c0 = blockOut[0];
        conv(p, "conv_in", channels, c0, 3);
        dense(p, "time_embedding.linear_1", c0, timeEmbedDim);
        dense(p, "time_embedding.linear_2", timeEmbedDim, timeEmbedDim);
        if (classes > 0) {
            p.put("class_embedding.weight", new int[] {classes, timeEmbedDim});
        }
        for (int i = 0; i < levels(); i++) {
            String b = "down_blocks." + i;
            int out = blockOut[i];
            if (downAttention[i]) {
                for (int j = 0; j < layersPerBlock; j++) {
                    attention(p, b + ".attentions." + j, out);
                }
            }
            for (int j = 0; j < layersPerBlock; j++) {
                resnet(p, b + ".resnets." + j, j == 0 ? downInput(i) : out, out);
            }
            if (i < levels() - 1) {
                conv(p, b + ".downsamplers.0.conv", out, out, 3);
            }
        }
        if (midBlock) {
            int c = blockOut[levels() - 1];
            if (addAttention) {
                attention(p, "mid_block.attentions.0", c);
            }
            resnet(p, "mid_block.resnets.0", c, c);
            resnet(p, "mid_block.resnets.1", c, c);
        }
        for (int i = 0; i < levels(); i++) {
            String b = "up_blocks." + i;
            int out = blockOut[levels() - 1 - i];
            if (upAttention[i]) {
                for (int j = 0; j <= layersPerBlock; j++) {
                    attention(p, b + ".attentions." + j, out);
                }
            }
            for (int j = 0; j <= layersPerBlock; j++) {
                int[] io = upResnetChannels(i, j);
                resnet(p, b + ".resnets." + j, io[0] + io[1], out);
            }
            if (i < levels() - 1) {
                conv(p, b + ".upsamplers.0.conv", out, out, 3);
            }
        }
        norm(p, "conv_norm_out", c0);
        conv(p, "conv_out", c0, outChannels, 3);
        return p;
    }

    /** Number of scalars of {@link #parameters()}. */
    public long parameterCount() {
        long n = 0;
        for (int[] s : parameters().values()) {
            n += Arrays.stream(s).asLongStream().reduce(1, (a, b) -> a * b);
        }
        return n;
    }

    private void resnet(Map<String, int[]> p, String name, int in, int out) {
        norm(p, name + ".norm1", in);
        conv(p, name + ".conv1", in, out, 3);
        dense(p, name + ".time_emb_proj", timeEmbedDim, out);
        norm(p, name + ".norm2", out);
        conv(p, name + ".conv2", out, out, 3);
        if (in != out) {
            conv(p, name + ".conv_shortcut", in, out, 1);
        }
    }

    private void attention(Map<String, int[]> p, String name, int c) {
        int inner = heads(c) * headDim(c);
        norm(p, name + ".group_norm", c);
        dense(p, name + ".to_q", c, inner);
        dense(p, name + ".to_k", c, inner);
        dense(p, name + ".to_v", c, inner);
        dense(p, name + ".to_out.0", inner, c);
    }

    private static void conv(Map<String, int[]> p, String name, int in, int out, int k) {
        p.put(name + ".weight", new int[] {out, in, k, k});
        p.put(name + ".bias", new int[] {out});
    }

    private static void dense(Map<String, int[]> p, String name, int in, int out) {
        p.put(name + ".weight", new int[] {out, in});
        p.put(name + ".bias", new int[] {out});
    }

    private static void norm(Map<String, int[]> p, String name, int c) {
        p.put(name + ".weight", new int[] {c});
        p.put(name + ".bias", new int[] {c});
    }

    /**
     * diffusers' renaming of old attention weights on load ({@code query}, {@code key},
     * {@code value}, {@code proj_attn} to {@code to_q}, {@code to_k}, {@code to_v}, {@code to_out.0}),
     * applied to names of attention blocks only.
     */
    public static String modernName(String name) {
        String[][] renames = {{".query.", ".to_q."}, {".key.", ".to_k."}, {".value.", ".to_v."}, {".proj_attn.", ".to_out.0."}};
        if (!name.contains(".attentions.")) {
            return name;
        }
        for (String[] r : renames) {
            int at = name.lastIndexOf(r[0]);
            if (at >= 0 && name.indexOf('.', at + r[0].length()) < 0) {
                return name.substring(0, at) + r[1] + name.substring(at + r[0].length());
            }
        }
        return name;
    }

    /** Sorted names, for error messages. */
    public static String list(Set<String> names) {
        return String.join(", ", new TreeSet<>(names));
    }
}
