package org.ddpm4j.api.sampling;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.ddpm4j.api.tensor.HostArray;

/**
 * A {@link StepListener} that records host copies of the state every {@code every} steps (and
 * always after the last step): the path from noise to data, for pictures and analysis.
 */
public final class Trajectory implements StepListener {

    /** One recorded state. */
    public record Point(int step, double time, HostArray state) {
    }

    private final int every;
    private final List<Point> points = new ArrayList<>();

    public Trajectory(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, was " + every);
        }
        this.every = every;
    }

    /** Records the starting state as step 0. */
    public void recordStart(double time, HostArray state) {
        points.add(new Point(0, time, state));
    }

    @Override
    public void onStep(StepEvent e) {
        if (e.step() % every == 0 || e.step() == e.steps()) {
            points.add(new Point(e.step(), e.time(), e.state().toHost()));
        }
    }

    public List<Point> points() {
        return Collections.unmodifiableList(points);
    }
}
