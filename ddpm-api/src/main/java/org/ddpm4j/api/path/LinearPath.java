package org.ddpm4j.api.path;

/** {@code a = 1 - t, b = t}: see {@link GaussianPath#linear()}. */
final class LinearPath implements GaussianPath {
    static final LinearPath INSTANCE = new LinearPath();

    private LinearPath() {
    }

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public double signal(double t) {
        return 1 - t;
    }

    @Override
    public double noise(double t) {
        return t;
    }

    @Override
    public double signalRate(double t) {
        return -1;
    }

    @Override
    public double noiseRate(double t) {
        return 1;
    }

    /** A flow prediction is this path's velocity already. */
    @Override
    public org.ddpm4j.api.tensor.Tensor toVelocity(org.ddpm4j.api.model.Parameterization kind, org.ddpm4j.api.tensor.Tensor prediction,
                                                   org.ddpm4j.api.tensor.Tensor x, double t) {
        return kind == org.ddpm4j.api.model.Parameterization.FLOW ? prediction : GaussianPath.super.toVelocity(kind, prediction, x, t);
    }

    @Override
    public double timeAtSigma(double sigma) {
        return Double.isInfinite(sigma) ? 1 : Math.min(1, Math.max(0, sigma / (1 + sigma)));
    }
}
