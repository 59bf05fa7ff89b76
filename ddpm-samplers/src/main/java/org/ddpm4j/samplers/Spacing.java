package org.ddpm4j.samplers;

import java.util.Locale;
import org.ddpm4j.api.Parameters;

/**
 * diffusers' {@code timestep_spacing}: how {@code n} inference steps are placed among {@code T}
 * training steps. Computed with numpy's own arithmetic ({@code arange}, {@code linspace}, round half
 * to even) so that the model is called at exactly diffusers' timesteps.
 * <ul>
 *   <li>{@code linspace}: {@code n} evenly spaced times from {@code T - 1} down to 0;</li>
 *   <li>{@code leading}: multiples of {@code T // n} from 0 up (plus {@code steps_offset}), so the
 *       first step starts below {@code T - 1} (Stable Diffusion's default);</li>
 *   <li>{@code trailing}: {@code round(T - k T / n) - 1}, starting at {@code T - 1} (Lin et al. 2023, Table 2);</li>
 *   <li>{@code logsnr} (ours, for samplers that may evaluate between training steps): the sigmas of
 *       {@code n + 1} levels evenly spaced in log-SNR from {@code sigma_max} to {@code sigma_min},
 *       the model at the first {@code n}; its fractional times are the schedule's own inverse of
 *       sigma, so the model sees exactly the level the solver steps to (Lu et al. 2022's
 *       "logSNR" step schedule);</li>
 *   <li>{@code quadratic} (ours, the same samplers): {@code n + 1} times evenly spaced in
 *       {@code sqrt(t)} from {@code T - 1} to 0, the model at the first {@code n}: denser towards the
 *       data, where the flow bends (DPM-Solver's "time_quadratic").</li>
 * </ul>
 */
enum Spacing {
    LINSPACE, LEADING, TRAILING, LOGSNR, QUADRATIC;

    /** Reads {@code timestep_spacing} (diffusers' three values). */
    static Spacing read(Parameters p, String defaultValue) {
        return valueOf(p.getChoice("timestep_spacing", defaultValue, "linspace", "leading", "trailing").toUpperCase(Locale.ROOT));
    }

    /** Reads {@code timestep_spacing}, {@code logsnr} and {@code quadratic} allowed. */
    static Spacing readFractional(Parameters p, String defaultValue) {
        return valueOf(p.getChoice("timestep_spacing", defaultValue, "linspace", "leading", "trailing", "logsnr", "quadratic")
                .toUpperCase(Locale.ROOT));
    }

    /** Whether the times lie between training steps ({@code logsnr}, {@code quadratic}): see {@link #fractional}. */
    boolean isFractional() {
        return this == LOGSNR || this == QUADRATIC;
    }

    /** The {@code n} fractional times of {@code logsnr} or {@code quadratic}, from {@code T - 1} down. */
    double[] fractional(org.ddpm4j.api.schedule.DiscreteSchedule schedule, int n) {
        double[] table = Sigmas.table(schedule);
        int last = table.length - 1;
        double[] sigmas = Sigmas.exponential(table[0], table[last], n + 1);
        double[] t = new double[n];
        for (int k = 0; k < n; k++) {
            double r = 1 - (double) k / n;
            t[k] = k == 0 ? last : this == QUADRATIC ? last * r * r : schedule.timeAtSigma(sigmas[k]);
        }
        return t;
    }

    /**
     * The descending timesteps of the sigma-space schedulers (Euler, Heun, LMS): {@code linspace}
     * leaves them fractional. {@code offset} is {@code steps_offset}, added by {@code leading} only.
     */
    double[] timesteps(int trainSteps, int n, int offset) {
        double[] t;
        switch (this) {
            case LINSPACE -> t = reverse(linspace(0, trainSteps - 1, n));
            case LEADING -> {
                int ratio = trainSteps / n;
                t = new double[n];
                for (int i = 0; i < n; i++) {
                    t[i] = (double) (n - 1 - i) * ratio + offset;
                }
            }
            case TRAILING -> t = trailing(trainSteps, trainSteps, n);
            default -> throw new IllegalStateException("fractional times come from the schedule: Spacing.fractional");
        }
        return t;
    }

    /** The timesteps of DDPM, DDIM and PNDM: as {@link #timesteps}, rounded to integers. */
    double[] integerTimesteps(int trainSteps, int n, int offset) {
        return round(timesteps(trainSteps, n, offset));
    }

    /**
     * The timesteps of DPM-Solver and UniPC: {@code linspace} and {@code leading} place {@code n + 1}
     * points and drop the last (time 0, where the solver ends); {@code last} is the first training
     * step excluded ({@code T} unless {@code lambda_min_clipped} cuts the noisy end).
     */
    double[] solverTimesteps(int trainSteps, int last, int n, int offset) {
        double[] t;
        switch (this) {
            case LINSPACE -> t = reverse(round(linspace(0, last - 1, n + 1)));
            case LEADING -> {
                int ratio = last / (n + 1);
                t = new double[n + 1];
                for (int i = 0; i <= n; i++) {
                    t[i] = (double) (n - i) * ratio + offset;
                }
            }
            case TRAILING -> {
                return trailing(last, trainSteps, n);
            }
            default -> throw new IllegalStateException("fractional times come from the schedule: Spacing.fractional");
        }
        return java.util.Arrays.copyOf(t, n);
    }

    /** {@code np.round(np.arange(from, 0, -T / n)) - 1}. */
    private static double[] trailing(int from, int trainSteps, int n) {
        double[] t = arange(from, 0, -(double) trainSteps / n);
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.rint(t[i]) - 1;
        }
        return t;
    }

    /** {@code np.arange(start, stop, step)} for floats: {@code ceil((stop - start) / step)} values {@code start + i * delta}. */
    static double[] arange(double start, double stop, double step) {
        int n = (int) Math.max(0, Math.ceil((stop - start) / step));
        double delta = (start + step) - start;
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = i == 1 ? start + step : start + i * delta;
        }
        return r;
    }

    /** {@code np.linspace(start, stop, n)}: {@code start + i * step}, the last value exactly {@code stop}. */
    static double[] linspace(double start, double stop, int n) {
        double[] r = new double[n];
        if (n == 1) {
            r[0] = start;
            return r;
        }
        double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            r[i] = i * step + start;
        }
        r[n - 1] = stop;
        return r;
    }

    static double[] reverse(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    /** Round half to even, as numpy. */
    static double[] round(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.rint(a[i]);
        }
        return r;
    }
}
