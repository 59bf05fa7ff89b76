package org.ddpm4j.examples.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import picocli.CommandLine.Option;

/** The {@code --device} and {@code --threads} options of commands that create backends. */
final class DeviceOptions {
    /** Backends whose compute threads {@link #DEFAULT_THREADS} sets when {@code --threads} is not given. */
    private static final List<String> THREADED = List.of("djl", "tf");

    @Option(names = "--device", description = "Backend device: cpu, gpu or gpu:N (default: GPU when the backend sees one).")
    String device;

    @Option(names = "--threads", description = "Backend compute threads (default " + DEFAULT_THREADS + ": the fastest for "
            + "small networks and on machines of a few cores; more for large networks on many cores). Same threads and seed: "
            + "bit-identical runs.")
    Integer threads;

    /**
     * The compute threads when none are asked for, on every backend: tf's own default, and on 2 cores
     * libtorch's default (all cores) trained the README's MLP several times slower than one thread
     * (docs/BENCHMARKS.md, "Default threads").
     */
    static final int DEFAULT_THREADS = 1;

    /** The options as backend parameters ({@code device}, {@code threads}), those given only. */
    Parameters parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (device != null) {
            p.put("device", device);
        }
        if (threads != null) {
            p.put("threads", threads);
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
}
