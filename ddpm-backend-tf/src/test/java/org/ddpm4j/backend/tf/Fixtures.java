package org.ddpm4j.backend.tf;

import java.util.List;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ArrayData;

/** Small networks, data and schedules shared by the tests. */
final class Fixtures {
    static final PluginRegistry REGISTRY = PluginRegistry.load();

    private Fixtures() {
    }

    /** Ho et al.'s linear schedule with {@code steps} training steps. */
    static DiscreteSchedule linear(int steps) {
        return (DiscreteSchedule) REGISTRY.createSchedule("linear", Parameters.of("num_train_timesteps", steps));
    }

    /** {@code steps} of the registry's deterministic {@code ddim} sampler from {@code noise} (no clipping: data may lie outside [-1, 1]). */
    static Tensor ddim(Denoiser model, DiscreteSchedule schedule, Tensor noise, int steps, Condition condition) {
        return REGISTRY.createSampler("ddim", schedule, Parameters.of("steps", steps, "clip_sample", false))
                .sample(model, noise, SampleOptions.defaults().withCondition(condition));
    }

    /** A small 2-D {@code mlp}, class-conditional when {@code classes > 0}. */
    static NetworkSpec mlp(int classes, double dropout) {
        return new NetworkSpec("mlp", new int[] {2}, classes, Parameterization.EPSILON,
                Parameters.of("hidden", 32, "blocks", 2, "time_embedding", 16, "dropout", dropout));
    }

    /** A small {@code unet} for 1 x 8 x 8 images with attention and dropout. */
    static NetworkSpec unet(int classes) {
        return new NetworkSpec("unet", new int[] {1, 8, 8}, classes, Parameterization.EPSILON,
                Parameters.of("channels", 8, "channel_mult", List.of(1, 2), "num_res_blocks", 1, "heads", 2, "groups", 4));
    }

    /** Two labelled Gaussian clusters in the plane, at (-1, 0) (class 0) and (1, 0.5) (class 1), std 0.1. */
    static ArrayData clusters(int n) {
        GaussianNoise noise = new GaussianNoise(3);
        float[] values = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            values[2 * i] = (float) ((labels[i] == 0 ? -1 : 1) + 0.1 * noise.next());
            values[2 * i + 1] = (float) ((labels[i] == 0 ? 0 : 0.5) + 0.1 * noise.next());
        }
        return new ArrayData(values, new int[] {2}, labels, 2);
    }

    /** Resident memory of this process in bytes (Linux). */
    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
