package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.sampling.StepListener;

/** Steps done, rate and time left, at most once a second, for runs long enough to need it. */
final class Progress implements StepListener {
    private final PrintWriter err;
    private final long start = System.nanoTime();
    private long last = start;

    Progress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onStep(StepEvent e) {
        long now = System.nanoTime();
        if (now - last < 1_000_000_000L && e.step() < e.steps()) {
            return;
        }
        last = now;
        double seconds = (now - start) / 1e9;
        double rate = e.step() / Math.max(seconds, 1e-9);
        if (seconds >= 1) {
            err.printf(Locale.ROOT, "step %d/%d, %.1f steps/s, %.0f s left%n", e.step(), e.steps(), rate, (e.steps() - e.step()) / rate);
            err.flush();
        }
    }
}
