package org.ddpm4j.api.path;

import org.ddpm4j.api.schedule.ContinuousSchedule;

/** The variance-preserving path of a continuous schedule: see {@link GaussianPath#variancePreserving}. */
record VariancePreservingPath(ContinuousSchedule schedule) implements GaussianPath {

    @Override
    public String name() {
        return "vp";
    }

    @Override
    public double signal(double t) {
        return schedule.signal(t);
    }

    @Override
    public double noise(double t) {
        return schedule.noise(t);
    }

    // d alphaBar / dt = -beta alphaBar, so a = sqrt(alphaBar) moves at -beta a / 2 and b = sqrt(1 - alphaBar) at beta a^2 / (2 b).
    @Override
    public double signalRate(double t) {
        return -0.5 * schedule.beta(t) * signal(t);
    }

    @Override
    public double noiseRate(double t) {
        double a = signal(t);
        return 0.5 * schedule.beta(t) * a * a / noise(t);
    }

    @Override
    public double timeAtSigma(double sigma) {
        return schedule.timeAtSigma(sigma);
    }
}
