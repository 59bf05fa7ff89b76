package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.io.Npy;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.tensor.JavaBackend;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Draws samples with a sampler and a denoiser, from saved standard normal noise (to replay a run,
 * e.g. one made with diffusers) or from noise drawn from a seed.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample with a sampler (by name or from a diffusers scheduler_config.json) and a denoiser; write the samples as float64 .npy.",
        footer = {"", "The sampler scales the noise by its initial sigma as diffusers' pipelines do. Initial noise drawn with --n comes "
                + "from --seed; a stochastic sampler's own noise from --seed + 1.",
                "", "Examples:",
                "  ddpm sample --denoiser gmm:mixture.json --init-noise noise.npy --scheduler-config scheduler_config.json --steps 25 --out samples.npy",
                "  ddpm sample --denoiser gmm:mixture.json --n 1000 --sampler ddpm --param clip_sample=false --seed 1 --out samples.npy",
                "  ddpm sample --denoiser points:data.npy --n 64 --sampler dpmsolver-multistep --param solver_order=3 --steps 20 --out s.npy"})
final class SampleCommand implements Runnable {

    static final class NoiseSource {
        @Option(names = "--init-noise", paramLabel = "FILE", description = "Standard normal noise [n, d] (.npy, float32 or float64).")
        Path file;

        @Option(names = "--n", paramLabel = "N", description = "Draw noise for N samples from --seed instead.")
        Integer count;
    }

    @Option(names = "--denoiser", required = true, paramLabel = "KIND:FILE", description = "gmm:mixture.json or points:data.npy.")
    String denoiser;

    @ArgGroup(exclusive = true, multiplicity = "1")
    NoiseSource noise;

    @Mixin
    SamplerSource samplerSource;

    @Option(names = "--steps", paramLabel = "N", description = "Number of inference steps.")
    Integer steps;

    @Option(names = "--eta", paramLabel = "E", description = "DDIM's eta in [0, 1] (or Euler ancestral's).")
    Double eta;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the noise (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Samples to write (.npy, float64).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PluginRegistry registry = PluginRegistry.load();
        TensorBackend backend = new JavaBackend();
        Map<String, Object> run = new LinkedHashMap<>();
        if (steps != null) {
            run.put("steps", steps);
        }
        if (eta != null) {
            run.put("eta", eta);
        }
        SamplerSource.Resolved resolved = samplerSource.resolve(registry, run);
        Denoiser model = model(DenoiserSource.parse(denoiser), resolved, registry, backend);
        Tensor x = initialNoise(model, backend);
        PrintWriter console = spec.commandLine().getOut();
        long started = System.nanoTime();
        SampleOptions options = SampleOptions.defaults().withSeed(seed + 1).withListener(new Progress(spec.commandLine().getErr()));
        Tensor samples;
        long evaluations;
        try (SamplingRun r = resolved.sampler().start(model, x, options)) {
            while (!r.isDone()) {
                r.step();
            }
            samples = r.result();
            evaluations = r.modelEvaluations();
        }
        Npy.writeDoubles(out, samples.toDoubleArray(), samples.shape());
        console.printf(Locale.ROOT, "wrote %s: %d samples of %s, %s on %s, %d steps, %d model evaluations, %.2f s%n", out,
                samples.batchSize(), Arrays.toString(Arrays.copyOfRange(samples.shape(), 1, samples.rank())), resolved.sampler().name(),
                resolved.schedule().name(), resolved.sampler().steps(), evaluations, (System.nanoTime() - started) / 1e9);
        console.flush();
    }

    /** The denoiser, asked for the configuration's {@code prediction_type} when there is one (exact for analytic denoisers). */
    static Denoiser model(DenoiserSource source, SamplerSource.Resolved resolved, PluginRegistry registry, TensorBackend backend) {
        Denoiser d = source.create(registry, backend, resolved.schedule());
        return resolved.predictionType() == null ? d : d.as(resolved.predictionType(), resolved.schedule());
    }

    private Tensor initialNoise(Denoiser model, TensorBackend backend) {
        return noise.count != null ? seededNoise(model, backend, noise.count, seed) : readNoise(noise.file, sampleShape(model), backend);
    }

    /** Standard normal noise for {@code n} samples of the denoiser's shape, from {@code seed}. */
    static Tensor seededNoise(Denoiser model, TensorBackend backend, int n, long seed) {
        if (n < 1) {
            throw new InvalidParameterException("--n", n, "must be an integer >= 1");
        }
        int[] sampleShape = sampleShape(model);
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return backend.randn(new GaussianNoise(seed), shape);
    }

    private static int[] sampleShape(Denoiser model) {
        return model.sampleShape().orElseThrow(() -> new IllegalStateException("the denoiser declares no sample shape"));
    }

    /** Standard normal noise from an .npy file, whose shape must be [n, sample shape...]. */
    static Tensor readNoise(Path file, int[] sampleShape, TensorBackend backend) {
        Npy.Array a = Npy.read(file);
        int[] shape = a.shape();
        if (shape.length != sampleShape.length + 1 || shape[0] < 1
                || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sampleShape)) {
            throw new InvalidParameterException("--init-noise", file + " of shape " + Arrays.toString(shape),
                    "must hold noise of shape [n, " + Arrays.toString(sampleShape).replaceAll("[\\[\\]]", "") + "] for this denoiser");
        }
        return backend.fromHost(a.data(), shape);
    }
}
