package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.core.progress.ProgressReporter;

/** A sampling run's progress (steps, rate, time left), at most once a second. */
final class Progress implements StepListener {
    private final PrintWriter err;
    private final String label;
    private ProgressReporter reporter;

    Progress(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    @Override
    public void onStep(StepEvent e) {
        if (reporter == null) {
            reporter = new ProgressReporter(label, "steps", e.steps(), err, 1.0);
        }
        reporter.update(e.step(), "");
    }
}
