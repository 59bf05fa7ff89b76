package org.ddpm4j.examples.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code --device} and {@code --threads} options of commands that create backends. */
final class DeviceOptions {
    /** Backends whose compute threads {@link #DEFAULT_THREADS} sets when {@code --threads} is not given. */
    private static final List<String> THREADED = List.of("djl", "tf");

    /**
     * The most compute threads per available processor: more only adds thread start-up and
     * contention (1,000 threads on 2 cores trained 100 times slower than 1).
     */
    static final int MAX_THREADS_PER_PROCESSOR = 4;

    @Option(names = "--device", description = "Backend device: cpu, gpu or gpu:N (default: GPU when the backend sees one).")
    String device;

    @Option(names = "--threads", description = "Backend compute threads (default " + DEFAULT_THREADS + ": the fastest for "
            + "small networks and on machines of a few cores; more for large networks on many cores; at most "
            + MAX_THREADS_PER_PROCESSOR + " per available processor). Same threads and seed: bit-identical runs.")
    Integer threads;

    /**
     * The compute threads when none are asked for, on every backend: tf's own default, and on 2 cores
     * libtorch's default (all cores) trained the README's MLP several times slower than one thread
     * (docs/BENCHMARKS.md, "Default threads").
     */
    static final int DEFAULT_THREADS = 1;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The options as backend parameters ({@code device}, {@code threads}), those given only; too many threads are capped, with a warning. */
    Parameters parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (device != null) {
            p.put("device", device);
        }
        if (threads != null) {
            p.put("threads", capped(threads));
        }
        return Parameters.of(p);
    }

    /** As {@link #parameters()}, with {@link #DEFAULT_THREADS} for the djl and tf backends when {@code --threads} is not given. */
    Parameters parameters(String backend) {
        Map<String, Object> p = new LinkedHashMap<>(parameters().asMap());
        if (threads == null && THREADED.contains(backend)) {
            p.put("threads", DEFAULT_THREADS);
        }
        return Parameters.of(p);
    }

    private int capped(int requested) {
        int max = MAX_THREADS_PER_PROCESSOR * Runtime.getRuntime().availableProcessors();
        if (requested <= max) {
            return requested;
        }
        if (command != null) {
            command.commandLine().getErr().printf("warning: --threads %d capped at %d (%d per available processor, %d processors)%n",
                    requested, max, MAX_THREADS_PER_PROCESSOR, Runtime.getRuntime().availableProcessors());
            command.commandLine().getErr().flush();
        }
        return max;
    }
}
