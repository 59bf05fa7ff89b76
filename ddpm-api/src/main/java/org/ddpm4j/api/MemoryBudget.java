package org.ddpm4j.api;

import java.util.Locale;

/**
 * Refuses, before allocating, a request whose memory would not fit: the estimate is compared with
 * what this JVM may still allocate ({@link Runtime#maxMemory()} less what is in use) and with the
 * machine's physical memory, and a request over either fails with an
 * {@link InvalidParameterException} naming the parameter, its value, the estimate, the limit and
 * what to do instead, rather than with an {@link OutOfMemoryError} minutes later.
 */
public final class MemoryBudget {
    private MemoryBudget() {
    }

    /** Bytes this JVM may still allocate on its heap. */
    public static long heapAvailable() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /** The machine's physical memory in bytes (Linux' {@code /proc/meminfo}), or {@link Long#MAX_VALUE} where it cannot be read. */
    public static long machineMemory() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the JVM's own limit still applies
        }
        return Long.MAX_VALUE;
    }

    /**
     * Requires about {@code bytes} of heap for {@code parameter = value}.
     *
     * @param hint what to do instead, e.g. "sample in chunks of fewer samples"
     */
    public static void require(String parameter, Object value, double bytes, String hint) {
        long heap = heapAvailable();
        long machine = machineMemory();
        if (bytes > heap || bytes > machine) {
            String limit = bytes > machine ? "the machine has " + size(machine)
                    : "this JVM may allocate " + size(heap) + " more (raise its -Xmx if the machine has the memory)";
            throw new InvalidParameterException(parameter, value, "needs about " + size(bytes) + " of memory but " + limit + "; " + hint);
        }
    }

    static String size(double bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30));
        }
        return String.format(Locale.ROOT, "%.0f MiB", Math.ceil(bytes / (1L << 20)));
    }
}
