package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.examples.bench.BackendBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Benchmarks, one subcommand each. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (results go into docs/BENCHMARKS.md).",
        subcommands = {BenchSamplersCommand.class, BenchCommand.Backend.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Sampler overhead, training throughput and memory of network backends, side by side. */
    @Command(name = "backend", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sampler overhead (50-step DDIM / 50 bare forwards), training throughput (samples/s) and RSS over long "
                    + "sampling loops, for each backend named in --backends, on the same networks (BackendBenchmark.MLP, .UNET).",
            footer = {"", "Examples:", "  ddpm bench backend --backends djl --threads 2",
                    "  ddpm bench backend --backends djl,tf --what overhead,training --repeats 7",
                    "  DDPM_JAVA_OPTS='-Xms256m -Xmx256m' ddpm bench backend --backends djl --what memory --memory-steps 100000"})
    static final class Backend implements Runnable {
        @Option(names = "--backends", split = ",", defaultValue = "djl", description = "Backends to compare (default ${DEFAULT-VALUE}).")
        List<String> backends;

        @Option(names = "--what", split = ",", defaultValue = "overhead,training,memory",
                description = "Any of overhead, training, memory (default ${DEFAULT-VALUE}).")
        List<String> what;

        @Option(names = "--networks", split = ",", defaultValue = "mlp,unet", description = "mlp and/or unet (default ${DEFAULT-VALUE}).")
        List<String> networks;

        @Option(names = "--repeats", defaultValue = "5", description = "Repeats per measurement; medians are reported (default ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--train-steps", defaultValue = "200", description = "Timed training steps of the MLP; the U-Net takes a tenth (default ${DEFAULT-VALUE}).")
        int trainSteps;

        @Option(names = "--memory-steps", defaultValue = "100000", description = "Sampler steps of the memory run (default ${DEFAULT-VALUE}).")
        int memorySteps;

        @Option(names = "--memory-batch", defaultValue = "64", description = "MLP batch of the memory run (default ${DEFAULT-VALUE}).")
        int memoryBatch;

        @Mixin
        DeviceOptions devices;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            PluginRegistry registry = PluginRegistry.load();
            DiscreteSchedule schedule = (DiscreteSchedule) registry.createSchedule("linear", Parameters.empty());
            List<String> lines = new ArrayList<>();
            for (String name : backends) {
                try (TensorBackend created = registry.createBackend(name, devices.parameters())) {
                    if (!(created instanceof NetworkBackend backend)) {
                        throw new InvalidParameterException("backends", name, "does not build networks");
                    }
                    String label = name + " (" + backend.device() + ")";
                    BackendBenchmark bench = new BackendBenchmark(backend, schedule, repeats);
                    for (String network : networks) {
                        boolean mlp = network.equals("mlp");
                        if (!mlp && !network.equals("unet")) {
                            throw new InvalidParameterException("networks", network, "must be mlp or unet");
                        }
                        var spec = mlp ? BackendBenchmark.MLP : BackendBenchmark.UNET;
                        if (what.contains("overhead")) {
                            var o = bench.overhead(network, spec, mlp ? 1024 : 64);
                            lines.add(String.format(Locale.ROOT,
                                    "| %s | overhead | %s, batch %d | 50-step DDIM %.3f s / 50 forwards %.3f s = **%.3f** (A/A control %.3f) |",
                                    label, network, o.batch(), o.ddimSeconds(), o.forwardsSeconds(), o.ratio(), o.control()));
                            print(out, lines);
                        }
                        if (what.contains("training")) {
                            var t = bench.training(network, spec, mlp ? 256 : 64, mlp ? trainSteps : Math.max(5, trainSteps / 10));
                            lines.add(String.format(Locale.ROOT, "| %s | training | %s, batch %d | **%.0f samples/s** (%.2f ms/step) |",
                                    label, network, t.batch(), t.samplesPerSecond(), t.millisPerStep()));
                            print(out, lines);
                        }
                    }
                    if (what.contains("memory")) {
                        var m = bench.memory("mlp", BackendBenchmark.MLP, memoryBatch, memorySteps);
                        lines.add(String.format(Locale.ROOT, "| %s | memory | mlp, batch %d | RSS %d MB after 1k steps, %d MB after %,d: **%+.1f%%** |",
                                label, m.batch(), m.rssAfter1k() >> 20, m.rssAfterAll() >> 20, m.steps(), 100 * m.growth()));
                        print(out, lines);
                    }
                }
            }
        }

        private static void print(PrintWriter out, List<String> lines) {
            out.println(lines.get(lines.size() - 1));
            out.flush();
        }

    }
}
