package org.ddpm4j.toolkit.sampling;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;

/** Parameter reading shared by the sampler factories: every rejection names the parameter, the value and what is allowed. */
public final class SamplerParameters {
    private SamplerParameters() {
    }

    /** The schedule as a discrete one, or a clear error for a sampler that steps through training steps. */
    public static DiscreteSchedule discrete(Schedule schedule, String sampler) {
        if (schedule instanceof DiscreteSchedule d) {
            return d;
        }
        if (schedule instanceof org.ddpm4j.api.path.FlowSchedule) {
            throw new InvalidParameterException("schedule", schedule.name(), "is a flow path; sampler '" + sampler + "' needs a discrete "
                    + "diffusion schedule. Sample a flow model with flow-euler, flow-heun, flow-midpoint or flow-ode, or view it on a "
                    + "diffusion schedule at equal signal-to-noise ratio (Denoiser.retimed)");
        }
        throw new InvalidParameterException("schedule", schedule.name(), "is continuous; sampler '" + sampler
                + "' needs a discrete schedule of T training steps (e.g. linear, cosine)");
    }

    /** The schedule as a continuous one, or a clear error for a sampler of the continuous-time SDE. */
    public static ContinuousSchedule continuous(Schedule schedule, String sampler) {
        if (schedule instanceof ContinuousSchedule c) {
            return c;
        }
        throw new InvalidParameterException("schedule", schedule.name(), "is discrete; sampler '" + sampler
                + "' needs a continuous-time schedule on t in [0, 1] (e.g. vp)");
    }

    /** {@code steps} in {@code [1, max]}. */
    public static int steps(Parameters p, int max, int defaultSteps) {
        return Checks.closed(p.qualify("steps"), p.getInt("steps", Math.min(defaultSteps, max)), 1, max);
    }

    /**
     * The inference timesteps: a custom descending list {@code timesteps} of model times, or
     * {@code steps} placed by {@code spacing}. Custom times must be integers where the method reads
     * the schedule's table at them ({@code fractional = false}); elsewhere they may lie between
     * training steps, where sigma is interpolated as in the schedule itself.
     */
    public static double[] timesteps(Parameters p, DiscreteSchedule schedule, int defaultSteps, boolean fractional,
                              java.util.function.IntFunction<double[]> spacing) {
        int trainSteps = schedule.trainSteps();
        if (!p.has("timesteps")) {
            return spacing.apply(steps(p, trainSteps, defaultSteps));
        }
        if (p.has("steps")) {
            throw new InvalidParameterException(p.qualify("steps"), p.asMap().get("steps"), "must not be given together with timesteps");
        }
        double[] t = fractional ? p.requireDoubleArray("timesteps") : toDoubles(p.requireIntArray("timesteps"));
        if (t.length == 0) {
            throw new InvalidParameterException(p.qualify("timesteps"), "[]", "needs at least one timestep");
        }
        for (int i = 0; i < t.length; i++) {
            if (!(t[i] >= 0 && t[i] <= trainSteps - 1) || (i > 0 && t[i] >= t[i - 1])) {
                throw new InvalidParameterException(p.qualify("timesteps"), p.asMap().get("timesteps"), "must be strictly descending "
                        + (fractional ? "times" : "integer training steps") + " in [0, " + (trainSteps - 1) + "]");
            }
        }
        return t;
    }

    private static double[] toDoubles(int[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    /** {@code steps_offset} (added to {@code leading} timesteps), at least 0. */
    public static int stepsOffset(Parameters p) {
        return Checks.atLeast(p.qualify("steps_offset"), p.getInt("steps_offset", 0), 0);
    }

    /** Keys of diffusers that this sampler supports only with the value false (e.g. {@code use_flow_sigmas}). */
    public static void requireFalse(Parameters p, String sampler, String... keys) {
        for (String key : keys) {
            if (p.getBoolean(key, false)) {
                throw new InvalidParameterException(p.qualify(key), true, "is not supported by sampler '" + sampler + "'; allowed: false");
            }
        }
    }

    /** Keys of diffusers that this sampler supports only when absent or null (e.g. {@code variance_type} of learned variances). */
    public static void requireNull(Parameters p, String sampler, String... keys) {
        for (String key : keys) {
            if (p.has(key)) {
                throw new InvalidParameterException(p.qualify(key), p.asMap().get(key), "is not supported by sampler '" + sampler
                        + "'; allowed: null");
            }
        }
        p.markUsed(keys);
    }

    /**
     * Accepts keys that diffusers writes into every configuration of the class but ignores in this
     * one (e.g. {@code flow_shift} without flow sigmas).
     */
    public static void ignored(Parameters p, String... keys) {
        p.markUsed(keys);
    }
}
