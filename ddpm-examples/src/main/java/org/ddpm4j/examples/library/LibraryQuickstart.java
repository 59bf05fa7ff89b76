package org.ddpm4j.examples.library;

import java.nio.file.Path;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.Pipelines;

/**
 * The program of README.md's "Using the library", word for word (LibraryQuickstartTest checks it):
 * 1,000 points from the exact denoiser of the Gaussian mixture in {@code mixture.json}.
 */
public final class LibraryQuickstart {
    public static void main(String[] args) {
        Path mixture = Path.of(args.length > 0 ? args[0] : "mixture.json");
        double[] points = sample(mixture);
        System.out.printf("%d points, the first (%.3f, %.3f)%n", points.length / 2, points[0], points[1]);
    }

    /** 1,000 points [1000, 2] from the mixture in {@code mixture}, flattened row by row. */
    public static double[] sample(Path mixture) {
        PipelineConfig config = PipelineConfig.parse("""
            {"backend":  {"type": "java"},
             "schedule": {"type": "cosine"},
             "sampler":  {"type": "ddim", "steps": 50},
             "denoiser": {"type": "gmm", "path": "%s"}}
            """.formatted(mixture.toString().replace('\\', '/'))); // a JSON string on Windows too
        try (Pipeline pipeline = Pipelines.build(config)) {
            Tensor samples = pipeline.sample(1000, new int[] {2}, SampleOptions.defaults().withSeed(42));
            return samples.toDoubleArray();
        }
    }
}
