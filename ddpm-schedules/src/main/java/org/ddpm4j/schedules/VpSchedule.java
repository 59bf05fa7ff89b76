package org.ddpm4j.schedules;

import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.ContinuousSchedule;

/**
 * The continuous-time variance-preserving SDE of Song et al. (2021) with a linear rate
 * {@code beta(t) = beta_min + t (beta_max - beta_min)} on {@code t in [0, 1]}, so that
 * {@code alphaBar(t) = exp(-beta_min t - (beta_max - beta_min) t^2 / 2)}. The continuum limit of
 * Ho et al.'s linear schedule with {@code beta_t = beta(t / T) / T} (defaults 0.1 and 20).
 */
public final class VpSchedule implements ContinuousSchedule {
    public static final String NAME = "vp";

    private final double betaMin;
    private final double betaMax;

    public VpSchedule(Parameters p) {
        this.betaMin = Checks.positive(p.qualify("beta_min"), p.getDouble("beta_min", 0.1));
        this.betaMax = Checks.positive(p.qualify("beta_max"), p.getDouble("beta_max", 20.0));
        Checks.ordered(p.qualify("beta_min"), betaMin, p.qualify("beta_max"), betaMax);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Parameters parameters() {
        return Parameters.of(Map.of("beta_min", betaMin, "beta_max", betaMax));
    }

    @Override
    public double beta(double t) {
        return betaMin + t * (betaMax - betaMin);
    }

    @Override
    public double alphaBar(double t) {
        return Math.exp(-logDecay(t));
    }

    /** {@code -log alphaBar(t) = integral_0^t beta(s) ds}. */
    private double logDecay(double t) {
        return betaMin * t + 0.5 * (betaMax - betaMin) * t * t;
    }

    @Override
    public double sigma(double t) {
        return Math.sqrt(Math.expm1(logDecay(t)));
    }

    @Override
    public double timeAtSigma(double sigma) {
        // Solve beta_min t + (beta_max - beta_min) t^2 / 2 = log(1 + sigma^2) for t >= 0.
        double target = Math.log1p(sigma * sigma);
        double slope = betaMax - betaMin;
        double t = slope == 0 ? target / betaMin
                : (-betaMin + Math.sqrt(betaMin * betaMin + 2 * slope * target)) / slope;
        return Math.max(tMin(), Math.min(tMax(), t));
    }

    @Override
    public String toString() {
        return NAME + parameters();
    }
}
