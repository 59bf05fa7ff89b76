package org.ddpm4j.examples.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import picocli.CommandLine.Option;

/** The {@code --device} and {@code --threads} options of commands that create backends. */
final class DeviceOptions {
    @Option(names = "--device", description = "Backend device: cpu, gpu or gpu:N (default: GPU when the backend sees one).")
    String device;

    @Option(names = "--threads", description = "Backend compute threads (same threads and seed: bit-identical runs).")
    Integer threads;

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
}
