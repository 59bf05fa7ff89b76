package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.core.progress.ProgressReporter;

/**
 * A sampling run's progress (steps, rate, time left), at most once a second; over all batches when
 * a run is cut into {@link #expectRuns several} (a run's steps start again at 1 in the next batch).
 */
final class Progress implements StepListener {
    private final PrintWriter err;
    private final String label;
    private ProgressReporter reporter;
    private int runs = 1;
    private long finished;
    private int last;

    Progress(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    /** The number of sampling runs (batches) the progress covers; call before the first step. */
    void expectRuns(int runs) {
        this.runs = Math.max(1, runs);
    }

    @Override
    public void onStep(StepEvent e) {
        if (reporter == null) {
            reporter = new ProgressReporter(label, "steps", (long) e.steps() * runs, err, 1.0);
        }
        if (e.step() <= last) {
            finished += last;
        }
        last = e.step();
        reporter.update(finished + e.step(), "");
    }
}
