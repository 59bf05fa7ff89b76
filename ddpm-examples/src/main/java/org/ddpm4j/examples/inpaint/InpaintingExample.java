package org.ddpm4j.examples.inpaint;

import java.io.PrintWriter;
import java.util.Locale;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * Inpainting and SDEdit in a few lines, on a 2-D Gaussian mixture whose exact denoiser stands in
 * for a trained one (swap in {@code Models.loadDenoiser(dir, backend, registry).ema()} for yours).
 * Copy it as a start. Run: {@code java -cp ... org.ddpm4j.examples.inpaint.InpaintingExample}.
 */
public final class InpaintingExample {
    private InpaintingExample() {
    }

    public static void main(String[] args) {
        run(new PrintWriter(System.out, true));
    }

    /** Inpaints y given x = 0.3 with and without resampling, then SDEdits a far-away point at three strengths. */
    public static void run(PrintWriter out) {
        PluginRegistry registry = PluginRegistry.load();
        GaussianMixture mixture = new GaussianMixture(new double[] {0.4, 0.6}, new double[][] {{-1, -1.2}, {1, 1}}, new double[] {0.5, 0.4});
        int n = 1000;
        try (TensorBackend backend = registry.createBackend("java", Parameters.empty())) {
            Schedule schedule = registry.createSchedule("linear", Parameters.empty());
            Denoiser model = new GaussianMixtureDenoiser(mixture, schedule, false);
            // ancestral sampling without diffusers' default clipping of x0 into [-1, 1]
            Sampler sampler = registry.createSampler("ddpm", schedule, Parameters.of("steps", 50, "clip_sample", false));

            // inpainting: x = 0.3 is known (mask 1), y is to be sampled (mask 0; its value in the data is ignored)
            Tensor known = backend.fromHost(repeat(new double[] {0.3, 0}, n), n, 2);
            Tensor mask = backend.fromHost(repeat(new double[] {1, 0}, n), n, 2);
            GaussianMixture exact = mixture.conditional(new int[] {0}, new double[] {0.3});
            out.printf(Locale.ROOT, "E[y | x = 0.3]: exact %.3f%n", exact.weight(0) * exact.mean(0)[0] + exact.weight(1) * exact.mean(1)[0]);
            for (int resampling : new int[] {1, 20}) {
                Tensor noise = backend.randn(new GaussianNoise(1), n, 2);
                Tensor x = new Inpainting(sampler, resampling).inpaint(model, known, mask, noise, SampleOptions.defaults().withSeed(2));
                out.printf(Locale.ROOT, "  inpainted with resampling %2d: %.3f%n", resampling, mean(x.toDoubleArray(), 1));
            }

            // SDEdit: noise the point (3, -3) part-way and denoise; the larger the strength, the more it becomes data
            Tensor input = backend.fromHost(repeat(new double[] {3, -3}, n), n, 2);
            for (double strength : new double[] {0.1, 0.5, 1.0}) {
                Tensor noise = backend.randn(new GaussianNoise(3), n, 2);
                Tensor x = new Sdedit(sampler, strength).edit(model, input, noise, SampleOptions.defaults().withSeed(4));
                out.printf(Locale.ROOT, "SDEdit of (3, -3) at strength %.1f: mean (%.2f, %.2f)%n", strength, mean(x.toDoubleArray(), 0),
                        mean(x.toDoubleArray(), 1));
            }
        }
        out.flush();
    }

    private static double[] repeat(double[] point, int n) {
        double[] v = new double[point.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(point, 0, v, i * point.length, point.length);
        }
        return v;
    }

    private static double mean(double[] xy, int coordinate) {
        double s = 0;
        for (int i = coordinate; i < xy.length; i += 2) {
            s += xy[i];
        }
        return s / (xy.length / 2.0);
    }
}
