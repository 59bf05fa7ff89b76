package org.ddpm4j.guidance;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;

/**
 * The guidance strength as a function of the model time t: constant ({@code scale}), ramped
 * linearly from {@code scale} at the start of sampling (t = tMax) to {@code scale_end} at its end
 * (t = tMin), and optionally limited to an {@code interval} [t_lo, t_hi] of times, outside of
 * which the method's neutral value applies (Kynkäänniemi et al. 2024: guidance in a limited
 * interval).
 */
public final class GuidanceScale {
    private final double start;
    private final double end;
    private final double[] interval;
    private final double neutral;

    private GuidanceScale(double start, double end, double[] interval, double neutral) {
        this.start = start;
        this.end = end;
        this.interval = interval;
        this.neutral = neutral;
    }

    /** A constant scale. */
    public static GuidanceScale constant(double scale, double neutral) {
        return new GuidanceScale(Checks.nonNegative("scale", scale), scale, null, neutral);
    }

    /** Reads {@code scale} (default {@code defaultScale}), {@code scale_end} and {@code interval}. */
    public static GuidanceScale read(Parameters p, double defaultScale, double neutral) {
        double scale = Checks.nonNegative(p.qualify("scale"), p.getDouble("scale", defaultScale));
        double end = Checks.nonNegative(p.qualify("scale_end"), p.getDouble("scale_end", scale));
        double[] interval = null;
        if (p.has("interval")) {
            interval = p.requireDoubleArray("interval");
            if (interval.length != 2 || !(interval[0] <= interval[1])) {
                throw new InvalidParameterException(p.qualify("interval"), interval, "must be [t_lo, t_hi] with t_lo <= t_hi");
            }
        }
        return new GuidanceScale(scale, end, interval, neutral);
    }

    /** The scale at time {@code t} of {@code schedule}. */
    public double at(double t, Schedule schedule) {
        if (interval != null && (t < interval[0] || t > interval[1])) {
            return neutral;
        }
        if (start == end) {
            return start;
        }
        double progress = (schedule.tMax() - t) / (schedule.tMax() - schedule.tMin());
        return start + (end - start) * progress;
    }

    /** The scales of a batch. */
    public double[] at(double[] t, Schedule schedule) {
        double[] w = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            w[i] = at(t[i], schedule);
        }
        return w;
    }
}
