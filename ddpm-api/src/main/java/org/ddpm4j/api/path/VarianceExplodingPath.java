package org.ddpm4j.api.path;

/** {@code a = 1, b = sigmaMin (sigmaMax / sigmaMin)^t}: see {@link GaussianPath#varianceExploding}. */
record VarianceExplodingPath(double sigmaMin, double sigmaMax) implements GaussianPath {

    @Override
    public String name() {
        return "ve";
    }

    @Override
    public double signal(double t) {
        return 1;
    }

    @Override
    public double noise(double t) {
        return sigmaMin * Math.pow(sigmaMax / sigmaMin, t);
    }

    @Override
    public double signalRate(double t) {
        return 0;
    }

    @Override
    public double noiseRate(double t) {
        return noise(t) * Math.log(sigmaMax / sigmaMin);
    }

    @Override
    public double timeAtSigma(double sigma) {
        return Math.min(1, Math.max(0, Math.log(sigma / sigmaMin) / Math.log(sigmaMax / sigmaMin)));
    }
}
