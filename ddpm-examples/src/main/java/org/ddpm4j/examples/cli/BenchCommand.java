package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.training.NetworkBackend;
import java.util.Map;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.examples.bench.BackendBenchmark;
import org.ddpm4j.examples.bench.ComparisonTable;
import org.ddpm4j.examples.bench.PyTorchRound;
import org.ddpm4j.examples.bench.TorchComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Benchmarks, one subcommand each. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks; each prints its results as a Markdown table on stdout (progress on stderr), ready for "
                + "docs/BENCHMARKS.md: ddpm bench backend > results.md.",
        subcommands = {BenchSamplersCommand.class, BenchVarianceCommand.class, BenchCommand.Backend.class, BenchPretrainedCommand.class, BenchReflowCommand.class, BenchDistillCommand.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Sampler overhead, training throughput and memory of network backends, side by side in one table. */
    @Command(name = "backend", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sampler overhead (50 steps of the ddim plugin / the same 50 denoiser calls in a minimal hand loop), "
                    + "training throughput (samples/s) and RSS over long sampling loops, for each backend named in --backends, "
                    + "on the same networks (BackendBenchmark.MLP, .UNET); prints one Markdown table with a column per backend.",
            footer = {"", "Examples:", "  ddpm bench backend --backends djl,tf --threads 1",
                    "  ddpm bench backend --backends djl,tf --what overhead,training --repeats 7",
                    "  DDPM_JAVA_OPTS='-Xms256m -Xmx256m' ddpm bench backend --backends djl --what memory --memory-steps 100000"})
    static final class Backend implements Runnable {
        @Option(names = "--backends", split = ",", defaultValue = "djl,tf", description = "Backends to compare (default ${DEFAULT-VALUE}).")
        List<String> backends;

        @Option(names = "--what", split = ",", defaultValue = "overhead,training,memory",
                description = "Any of overhead, training, memory (default ${DEFAULT-VALUE}); or versus-torch alone: the recipe's U-Net "
                        + "and the MLP against PyTorch (tools/networks-reference/bench_torch.py) in rotating rounds; needs --threads.")
        List<String> what;

        @Option(names = "--networks", split = ",", defaultValue = "mlp,unet", description = "mlp and/or unet (default ${DEFAULT-VALUE}).")
        List<String> networks;

        @Option(names = "--repeats", defaultValue = "5", description = "Repeats per measurement; medians are reported (default ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--train-steps", defaultValue = "200", description = "Timed training steps of the MLP; the U-Net takes a tenth (default ${DEFAULT-VALUE}).")
        int trainSteps;

        @Option(names = "--memory-steps", defaultValue = "100000", description = "Sampler steps of the memory run, at least 2000: the "
                + "growth is from the RSS after 1000 steps (default ${DEFAULT-VALUE}).")
        int memorySteps;

        @Option(names = "--memory-batch", defaultValue = "64", description = "MLP batch of the memory run (default ${DEFAULT-VALUE}).")
        int memoryBatch;

        @Option(names = "--unet-batch", defaultValue = "64", description = "U-Net batch of the overhead and training runs (default ${DEFAULT-VALUE}).")
        int unetBatch;

        @Option(names = "--python", defaultValue = "/usr/bin/python3",
                description = "versus-torch: the Python with PyTorch (default ${DEFAULT-VALUE}).")
        Path python;

        @Option(names = "--torch-script", defaultValue = "tools/networks-reference/bench_torch.py",
                description = "versus-torch: the PyTorch side of the comparison (default ${DEFAULT-VALUE}).")
        Path torchScript;

        @Mixin
        DeviceOptions devices;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter progress = spec.commandLine().getErr();
            if (what.contains("memory")) {
                BackendBenchmark.checkMemorySteps("--memory-steps", memorySteps); // before minutes of other measurements
            }
            if (what.contains("versus-torch")) {
                versusTorch(out, progress);
                return;
            }
            ComparisonTable table = new ComparisonTable();
            for (String name : backends) {
                try (Pipeline pipeline = Pipelines.build(config(name, devices.parameters(name)))) {
                    if (!(pipeline.backend() instanceof NetworkBackend backend)) {
                        throw new InvalidParameterException("backends", name, "does not build networks");
                    }
                    String column = name + " (" + backend.device() + ")";
                    BackendBenchmark bench = new BackendBenchmark(backend, (DiscreteSchedule) pipeline.schedule(), pipeline.requireSampler(), repeats);
                    for (String network : networks) {
                        boolean mlp = network.equals("mlp");
                        if (!mlp && !network.equals("unet")) {
                            throw new InvalidParameterException("networks", network, "must be mlp or unet");
                        }
                        var spec = mlp ? BackendBenchmark.MLP : BackendBenchmark.UNET;
                        int batch = mlp ? 1024 : unetBatch;
                        if (what.contains("overhead")) {
                            var o = bench.overhead(network, spec, batch);
                            record(table, progress, String.format(Locale.ROOT, "sampler overhead, %s batch %d: ddim plugin / hand loop (A/A control)",
                                    network, batch), column, String.format(Locale.ROOT, "**%.3f** (%.3f s / %.3f s; A/A %.3f)",
                                    o.ratio(), o.samplerSeconds(), o.handSeconds(), o.control()));
                        }
                        if (what.contains("training")) {
                            int trainBatch = mlp ? 256 : unetBatch;
                            var t = bench.training(network, spec, trainBatch, mlp ? trainSteps : Math.max(5, trainSteps / 10));
                            record(table, progress, String.format(Locale.ROOT, "training, %s batch %d (samples/s)", network, trainBatch), column,
                                    String.format(Locale.ROOT, t.samplesPerSecond() < 100 ? "**%,.1f** (%.0f ms/step)" : "**%,.0f** (%.1f ms/step)",
                                    t.samplesPerSecond(), t.millisPerStep()));
                        }
                    }
                    if (what.contains("memory")) {
                        var m = bench.memory("mlp", BackendBenchmark.MLP, memoryBatch, memorySteps);
                        record(table, progress, String.format(Locale.ROOT, "RSS growth, mlp batch %d, ddim steps 1k -> %,d", m.batch(), m.steps()),
                                column, String.format(Locale.ROOT, "**%+.1f %%** (%d -> %d MB)", 100 * m.growth(), m.rssAfter1k() >> 20,
                                        m.rssAfterAll() >> 20));
                    }
                }
            }
            out.print(table.toMarkdown());
            out.flush();
        }

        /** The backends and PyTorch in rotating rounds ({@link TorchComparison}), the backends open side by side. */
        private void versusTorch(PrintWriter out, PrintWriter progress) {
            if (what.size() != 1) {
                throw new InvalidParameterException("what", String.join(",", what), "versus-torch runs alone");
            }
            if (devices.threads == null) {
                throw new InvalidParameterException("threads", "(none)", "versus-torch needs --threads, which PyTorch gets too");
            }
            int unetSteps = Math.max(5, trainSteps / 10);
            PyTorchRound torch = new PyTorchRound(python, torchScript, devices.threads, unetBatch, unetSteps, trainSteps);
            List<Pipeline> open = new ArrayList<>();
            try {
                TorchComparison comparison = new TorchComparison(torch.column(), torch::run);
                for (String name : backends) {
                    Pipeline pipeline = Pipelines.build(config(name, devices.parameters()));
                    open.add(pipeline);
                    if (!(pipeline.backend() instanceof NetworkBackend backend)) {
                        throw new InvalidParameterException("backends", name, "does not build networks");
                    }
                    BackendBenchmark bench = new BackendBenchmark(backend, (DiscreteSchedule) pipeline.schedule(), pipeline.requireSampler(), 1);
                    Sampler dpm = pipeline.sampler(new ComponentConfig("dpmsolver++", Map.of("steps", 20)));
                    comparison.add(name + " (" + backend.device() + ")", () -> bench.round(dpm, unetBatch, unetSteps, trainSteps));
                }
                out.print(comparison.run(repeats, unetBatch, progress).toMarkdown());
                out.flush();
            } finally {
                open.forEach(Pipeline::close);
            }
        }

        /** One backend's pipeline: the linear schedule and the DDIM sampler of the measurements. */
        private static PipelineConfig config(String backend, Parameters devices) {
            return PipelineConfig.of(new ComponentConfig(backend, devices.asMap())).withSchedule(ComponentConfig.of("linear"))
                    .withSampler(new ComponentConfig("ddim", Map.of("steps", BackendBenchmark.DDIM_STEPS, "clip_sample", false)));
        }

        /** Adds a cell and reports it at once (a full run takes minutes). */
        private static void record(ComparisonTable table, PrintWriter progress, String row, String column, String cell) {
            table.put(row, column, cell);
            progress.println(column + " | " + row + " | " + cell);
            progress.flush();
        }
    }
}
