package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.pipeline.SamplerChoice;
import org.ddpm4j.core.pretrained.Pretrained;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Loading a diffusers folder and one sampling step on it: the time of {@code Pretrained.load}, the
 * heap it took, and the median of {@code --repeats} DDIM steps at {@code --batch} (one UNet forward
 * and the update), per backend. The PyTorch side is {@code tools/diffusers-reference/bench_unet_torch.py}.
 */
@Command(name = "pretrained", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load time, heap growth and the median time of one DDIM sampling step of a diffusers UNet2DModel folder, per backend.",
        footer = {"", "Examples:", "  ddpm bench pretrained --pretrained /tmp/cifar10-shaped --backends djl,tf --batch 16 --threads 2"})
final class BenchPretrainedCommand implements Runnable {
    @Option(names = "--pretrained", required = true, paramLabel = "DIR", description = "A diffusers UNet2DModel folder.")
    Path folder;

    @Option(names = "--backends", split = ",", defaultValue = "djl,tf", description = "Backends (default ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--batch", defaultValue = "16", description = "Batch of the sampling step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed steps after one warm-up; the median is reported (default ${DEFAULT-VALUE}).")
    int repeats;

    @Mixin
    DeviceOptions devices;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (batch < 1 || repeats < 1) {
            throw new InvalidParameterException("--batch/--repeats", batch + "/" + repeats, "must both be >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "| backend | load (s) | heap growth (MB) | parameters | DDIM step, batch %d, median of %d (ms) |%n", batch, repeats);
        out.printf("|---|---|---|---|---|%n");
        for (String name : backends) {
            // the backend and diffusers' DDIMScheduler from the folder's scheduler configuration (its from_config); the model is
            // loaded here, to time its loading alone
            SamplerChoice ddim = new SamplerChoice(Pretrained.schedulerConfig(folder).orElseThrow(() -> new InvalidParameterException("--pretrained",
                    folder.toString(), "has no scheduler configuration")).toString(), "ddim", null, Map.of(), Map.of("steps", repeats + 1));
            try (Pipeline pipeline = Pipelines.build(PipelineConfig.of(new ComponentConfig(name, devices.parameters().asMap())),
                    PipelineParts.none().sampler(ddim))) {
                TensorBackend created = pipeline.backend();
                if (!(created instanceof NetworkBackend networks)) {
                    throw new InvalidParameterException("--backends", name, "does not build networks");
                }
                Runtime rt = Runtime.getRuntime();
                System.gc();
                long heapBefore = rt.totalMemory() - rt.freeMemory();
                long t0 = System.nanoTime();
                try (Pretrained model = Pretrained.load(folder, networks)) {
                    double load = (System.nanoTime() - t0) / 1e9;
                    long heapAfter = rt.totalMemory() - rt.freeMemory();
                    Sampler sampler = pipeline.requireSampler();
                    int[] s = model.spec().sampleShape();
                    double[] ms = new double[repeats];
                    try (TensorScope scope = created.openScope()) {
                        Tensor noise = created.randn(new GaussianNoise(0), batch, s[0], s[1], s[2]);
                        try (SamplingRun run = sampler.start(model.denoiser(), noise, SampleOptions.defaults())) {
                            run.step();                                               // warm-up
                            for (int i = 0; i < repeats; i++) {
                                long start = System.nanoTime();
                                run.step();
                                ms[i] = (System.nanoTime() - start) / 1e6;
                            }
                        }
                    }
                    Arrays.sort(ms);
                    out.printf(Locale.ROOT, "| %s | %.2f | %.0f | %,d | %.1f |%n", name, load, (heapAfter - heapBefore) / 1e6,
                            model.denoiser().parameterCount(), ms[repeats / 2]);
                    out.flush();
                }
            }
        }
    }
}
