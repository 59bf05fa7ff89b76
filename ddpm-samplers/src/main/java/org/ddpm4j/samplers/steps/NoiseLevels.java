package org.ddpm4j.samplers.steps;

import org.ddpm4j.api.schedule.DiscreteSchedule;

/**
 * The variance-exploding noise level {@code sigma(t) = sqrt((1 - alphaBar(t)) / alphaBar(t))} of a
 * discrete schedule at fractional model times, and its inverse (by bisection: sigma grows with t).
 */
final class NoiseLevels {
    private final DiscreteSchedule schedule;

    NoiseLevels(DiscreteSchedule schedule) {
        this.schedule = schedule;
    }

    double last() {
        return schedule.trainSteps() - 1;
    }

    double sigma(double t) {
        double ab = Math.max(schedule.alphaBar(t), 0x1p-24);
        return Math.sqrt((1 - ab) / ab);
    }

    /** The model time in {@code [0, T-1]} whose sigma is {@code sigma} (clamped to the table's range). */
    double time(double sigma) {
        double lo = 0;
        double hi = last();
        if (sigma <= sigma(lo)) {
            return lo;
        }
        if (sigma >= sigma(hi)) {
            return hi;
        }
        for (int i = 0; i < 80; i++) {
            double mid = 0.5 * (lo + hi);
            if (sigma(mid) < sigma) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
}
