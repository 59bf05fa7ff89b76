package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.training.DiffusersUNetConfig;

/**
 * diffusers' {@code UNet2DModel} ({@code diffusers-unet}, see {@link DiffusersUNetConfig}) with
 * diffusers' parameter names: down blocks of resnets (each followed by attention in an
 * {@code AttnDownBlock2D}) and a stride-2 convolution, a middle block (resnet, attention, resnet),
 * up blocks that concatenate the skips and upsample by nearest neighbour and a 3x3 convolution.
 */
final class DiffusersUNet implements Network {
    private final DiffusersUNetConfig config;
    private final int[] sampleShape;
    private final float eps;
    private final ParameterLayout layout = new ParameterLayout();

    DiffusersUNet(DiffusersUNetConfig config, int[] sampleShape) {
        this.config = config;
        this.sampleShape = sampleShape.clone();
        this.eps = (float) config.eps();
        for (Map.Entry<String, int[]> p : config.parameters().entrySet()) {
            declare(p.getKey(), p.getValue());
        }
    }

    /** Declares one parameter with PyTorch's default initialisation (diffusers uses it too). */
    private void declare(String name, int[] shape) {
        String layer = name.substring(0, name.lastIndexOf('.'));
        if (!name.endsWith(".weight")) {
            return;                                                    // declared with its weight
        }
        if (shape.length == 4) {
            layout.conv(layer, shape[1], shape[0], shape[2]);
        } else if (layer.equals("class_embedding")) {
            layout.embedding(layer, shape[0], shape[1]);
        } else if (shape.length == 2) {
            layout.dense(layer, shape[1], shape[0]);
        } else {
            layout.norm(layer, shape[0]);
        }
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
        return config.classes();
    }

    @Override
    public boolean conditional() {
        return config.classes() > 0;
    }

    @Override
    public boolean stochastic() {
        return config.dropout() > 0;
    }

    @Override
    public NDArray forward(Weights w, NDArray x, double[] t, int[] labels, boolean training) {
        NDManager m = x.getManager();
        NDArray e = Layers.linear(w, "time_embedding.linear_2", Layers.silu(Layers.linear(w, "time_embedding.linear_1", timesteps(m, t))));
        if (conditional()) {
            for (int y : labels) {
                if (y < 0 || y >= config.classes()) {
                    throw new InvalidParameterException("class label", y, "must lie in [0, " + (config.classes() - 1)
                            + "]: a diffusers UNet2DModel has no null class (no classifier-free guidance)");
                }
            }
            e = e.add(Layers.classEmbedding(w, "class_embedding", m, labels));
        }
        Pass pass = new Pass(w, Layers.silu(e), training);
        NDArray h = config.centerInput() ? x.mul(m.create(2f)).sub(m.create(1f)) : x;
        h = Layers.conv3x3(w, "conv_in", h, 1);
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.push(h);
        int layers = config.layersPerBlock();
        for (int i = 0; i < config.levels(); i++) {
            String b = "down_blocks." + i;
            for (int j = 0; j < layers; j++) {
                h = pass.resnet(b + ".resnets." + j, h, 1);
                if (config.downAttention(i)) {
                    h = pass.attention(b + ".attentions." + j, h, config.groups(), 1);
                }
                skips.push(h);
            }
            if (i < config.levels() - 1) {
                h = Layers.conv3x3(w, b + ".downsamplers.0.conv", h, 2, config.downsamplePadding());
                skips.push(h);
            }
        }
        if (config.midBlock()) {
            float scale = (float) config.midScale();
            h = pass.resnet("mid_block.resnets.0", h, scale);
            if (config.hasMidAttention()) {
                h = pass.attention("mid_block.attentions.0", h, config.midAttentionGroups(), scale);
            }
            h = pass.resnet("mid_block.resnets.1", h, scale);
        }
        for (int i = 0; i < config.levels(); i++) {
            String b = "up_blocks." + i;
            for (int j = 0; j <= layers; j++) {
                h = pass.resnet(b + ".resnets." + j, Layers.concatChannels(h, skips.pop()), 1);
                if (config.upAttention(i)) {
                    h = pass.attention(b + ".attentions." + j, h, config.groups(), 1);
                }
            }
            if (i < config.levels() - 1) {
                h = Layers.conv3x3(w, b + ".upsamplers.0.conv", Layers.upsample2x(h), 1);
            }
        }
        h = Layers.silu(Layers.groupNorm(w, "conv_norm_out", h, config.groups(), eps));
        return Layers.conv3x3(w, "conv_out", h, 1);
    }

    /** diffusers' sinusoidal embedding of the timesteps, in float32 as PyTorch computes it; one row when all are equal. */
    private NDArray timesteps(NDManager m, double[] t) {
        double[] times = Arrays.stream(t).allMatch(v -> v == t[0]) ? new double[] {t[0]} : t;
        float[] f = config.timestepFrequencies();
        int half = f.length;
        int dim = config.width(0);
        float[] emb = new float[times.length * dim];
        for (int i = 0; i < times.length; i++) {
            for (int k = 0; k < half; k++) {
                float a = (float) times[i] * f[k];
                float sin = (float) Math.sin(a);
                float cos = (float) Math.cos(a);
                emb[i * dim + k] = config.flipSinToCos() ? cos : sin;
                emb[i * dim + half + k] = config.flipSinToCos() ? sin : cos;
            }
        }
        return m.create(emb, new Shape(times.length, dim));
    }

    @Override
    public NDArray features(Weights w, NDArray x, double[] t) {
        throw new UnsupportedOperationException("diffusers-unet is a denoiser, not a classifier");
    }

    /** Resnet and attention blocks sharing one forward pass's {@code SiLU(time features)}. */
    private final class Pass {
        private final Weights w;
        private final NDArray time;
        private final boolean training;

        Pass(Weights w, NDArray time, boolean training) {
            this.w = w;
            this.time = time;
            this.training = training;
        }

        /** {@code ResnetBlock2D}: {@code (shortcut(h) + conv2(dropout(SiLU(norm2(conv1(SiLU(norm1 h)) + proj(e)))))) / scale}. */
        NDArray resnet(String name, NDArray h, float scale) {
            int g = config.groups();
            NDArray r = Layers.conv3x3(w, name + ".conv1", Layers.silu(Layers.groupNorm(w, name + ".norm1", h, g, eps)), 1);
            NDArray features = Layers.linear(w, name + ".time_emb_proj", time);
            r = r.add(features.reshape(features.getShape().get(0), features.getShape().get(1), 1, 1));
            r = Layers.silu(Layers.groupNorm(w, name + ".norm2", r, g, eps));
            r = Layers.conv3x3(w, name + ".conv2", Layers.dropout(r, config.dropout(), training), 1);
            NDArray out = (w.has(name + ".conv_shortcut.weight") ? Layers.conv1x1(w, name + ".conv_shortcut", h) : h).add(r);
            return scale == 1 ? out : out.div(out.getManager().create(scale));
        }

        /** diffusers' {@code Attention} over pixels with group norm, linear q/k/v/out and a residual connection. */
        NDArray attention(String name, NDArray h, int groups, float scale) {
            Shape s = h.getShape();
            long n = s.get(0);
            long c = s.get(1);
            NDArray tokens = Layers.groupNorm(w, name + ".group_norm", h, groups, eps).reshape(n, c, -1).transpose(0, 2, 1);
            NDArray o = Layers.dotProductAttention(Layers.linear(w, name + ".to_q", tokens), Layers.linear(w, name + ".to_k", tokens),
                    Layers.linear(w, name + ".to_v", tokens), config.heads((int) c));
            NDArray out = Layers.linear(w, name + ".to_out.0", o).transpose(0, 2, 1).reshape(s).add(h);
            return scale == 1 ? out : out.div(out.getManager().create(scale));
        }
    }
}
