package org.ddpm4j.samplers.steps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.schedule.DiscreteSchedule;

/**
 * The usual hand-made families of step placements, as lists of the {@code n} descending model times
 * at which a sampler that stops at sigma_min (t = 0) evaluates the model: polynomial in t (power 1
 * is uniform, 2 is DPM-Solver's time-quadratic, i.e. uniform in sqrt(t)), uniform in log-SNR, and
 * Karras et al.'s sigma^(1/rho) spacing with rho 5..9. Each list starts at the last training step.
 */
public final class HandMadeSpacings {
    private HandMadeSpacings() {
    }

    /** Every family member by name, fractional times. */
    public static Map<String, double[]> all(DiscreteSchedule schedule, int n) {
        if (n < 1) {
            throw new InvalidParameterException("steps", n, "must be at least 1");
        }
        NoiseLevels levels = new NoiseLevels(schedule);
        double tMax = levels.last();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (double p : new double[] {1, 1.5, 2, 2.5, 3}) {
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = tMax * Math.pow(1 - (double) i / n, p);
            }
            out.put(p == 1 ? "uniform" : p == 2 ? "quadratic" : String.format(Locale.ROOT, "polynomial(%.1f)", p), t);
        }
        double sMax = levels.sigma(tMax);
        double sMin = levels.sigma(0);
        double[] logSnr = new double[n];
        for (int i = 0; i < n; i++) {
            logSnr[i] = levels.time(Math.exp(Math.log(sMax) + (double) i / n * (Math.log(sMin) - Math.log(sMax))));
        }
        out.put("logsnr", logSnr);
        for (int rho = 5; rho <= 9; rho++) {
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                double a = Math.pow(sMax, 1.0 / rho);
                double b = Math.pow(sMin, 1.0 / rho);
                t[i] = levels.time(Math.pow(a + (double) i / n * (b - a), rho));
            }
            out.put("karras(rho=" + rho + ")", t);
        }
        return out;
    }

    /**
     * The times rounded to distinct descending integers in {@code [1, T-1]}, as diffusers'
     * {@code set_timesteps(timesteps=...)} takes them (1, not 0, last: a last step of length 0 would
     * turn higher orders into NaN).
     */
    public static int[] rounded(double[] t) {
        int[] r = new int[t.length];
        for (int i = t.length - 1; i >= 0; i--) {
            r[i] = (int) Math.rint(t[i]);
            int floor = i == t.length - 1 ? 1 : r[i + 1] + 1;
            r[i] = Math.max(r[i], floor);
        }
        return r;
    }

    /** A list of numbers (model times, a solver's coefficients) as a parameter value. */
    public static List<Double> asList(double[] t) {
        List<Double> l = new ArrayList<>(t.length);
        for (double v : t) {
            l.add(v);
        }
        return l;
    }
}
