package org.ddpm4j.core.progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints the progress of long work as one line at most every {@code interval} of time and at the end:
 * {@code label  1200/5000  24%  34.2 steps/s  ETA 1m52s  loss 0.0312}.
 */
public final class ProgressReporter {
    private final String label;
    private final String unit;
    private final long total;
    private final PrintWriter out;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long start = -1;
    private long startCount;
    private long lastPrint;

    public ProgressReporter(String label, String unit, long total, PrintWriter out, double intervalSeconds) {
        this(label, unit, total, out, intervalSeconds, System::nanoTime);
    }

    ProgressReporter(String label, String unit, long total, PrintWriter out, double intervalSeconds, LongSupplier clock) {
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.out = out;
        this.intervalNanos = (long) (org.ddpm4j.api.Checks.nonNegative("progress interval seconds", intervalSeconds) * 1e9);
        this.clock = clock;
    }

    /** Reports {@code done} units finished, with optional extra text (e.g. the loss). */
    public void update(long done, String extra) {
        long now = clock.getAsLong();
        if (start < 0) {
            start = now;
            startCount = done;
            lastPrint = now;
        }
        boolean last = done >= total;
        if (!last && now - lastPrint < intervalNanos) {
            return;
        }
        lastPrint = now;
        out.println(line(done, now, extra));
        out.flush();
    }

    String line(long done, long now, String extra) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? (done - startCount) / seconds : 0;
        StringBuilder b = new StringBuilder(label).append("  ").append(done).append('/').append(total)
                .append(String.format(Locale.ROOT, "  %3d%%", total == 0 ? 100 : (int) (100 * done / total)));
        if (rate > 0) {
            b.append(String.format(Locale.ROOT, "  %.1f %s/s", rate, unit));
            if (done < total) {
                b.append("  ETA ").append(duration((total - done) / rate));
            } else {
                b.append("  took ").append(duration(seconds));
            }
        }
        if (extra != null && !extra.isEmpty()) {
            b.append("  ").append(extra);
        }
        return b.toString();
    }

    /** {@code 42s}, {@code 3m05s}, {@code 1h02m}. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
