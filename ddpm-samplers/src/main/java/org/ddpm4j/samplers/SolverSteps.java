package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;

/**
 * The inference steps of DPM-Solver and UniPC as diffusers places them: integer model times
 * {@code t_i} ({@code n}) and the solver's noise levels {@code sigma_i} ({@code n + 1}; the last is
 * the final level, 0 or {@code sigma_min}). With a sigma schedule (Karras, ...) the model time is
 * the training step nearest below (or rounded to) {@code sigma_i}'s, while the solver keeps {@code sigma_i}.
 */
record SolverSteps(double[] timesteps, double[] sigmas) {

    /** diffusers' {@code final_sigmas_type}: {@code true} for {@code zero}, false for {@code sigma_min}. */
    static boolean finalZero(Parameters p) {
        return p.getChoice("final_sigmas_type", "zero", "zero", "sigma_min").equals("zero");
    }

    /**
     * @param timesteps     the spaced (or custom) training steps, used as they are with {@link SigmaKind#TIMESTEPS}
     * @param roundTimes    whether Karras and log-SNR times are rounded (else truncated, as diffusers' int64 cast)
     * @param sigmaRange    {@code {sigma_min, sigma_max}} overriding the table's ends for a sigma schedule, or null
     * @param finalFromSteps {@code sigma_min} is the last level of the sigma schedule (UniPC), not the table's first
     */
    static SolverSteps of(DiscreteSchedule schedule, double[] timesteps, SigmaKind kind, boolean roundTimes, double[] sigmaRange,
                          boolean finalZero, boolean finalFromSteps) {
        double[] table = Sigmas.table(schedule);
        int n = timesteps.length;
        double[] t = timesteps.clone();
        double[] sigmas;
        if (kind == SigmaKind.TIMESTEPS) {
            sigmas = Sigmas.interpolate(table, t);
        } else {
            double sigmaMin = sigmaRange == null || Double.isNaN(sigmaRange[0]) ? table[0] : sigmaRange[0];
            double sigmaMax = sigmaRange == null || Double.isNaN(sigmaRange[1]) ? table[table.length - 1] : sigmaRange[1];
            sigmas = kind.sigmas(sigmaMin, sigmaMax, n);
            t = Sigmas.times(table, sigmas);
            boolean round = roundTimes && (kind == SigmaKind.KARRAS || kind == SigmaKind.LOG_SNR);
            for (int i = 0; i < n; i++) {
                t[i] = round ? Math.rint(t[i]) : Math.floor(t[i]);
            }
        }
        double last = finalZero ? 0 : finalFromSteps && kind != SigmaKind.TIMESTEPS ? sigmas[n - 1] : table[0];
        double[] all = java.util.Arrays.copyOf(sigmas, n + 1);
        all[n] = last;
        return new SolverSteps(t, all);
    }

    /** Rejects custom {@code timesteps} together with a sigma schedule, which would replace them. */
    static void requireNoCustomTimesteps(Parameters p, SigmaKind kind) {
        if (kind != SigmaKind.TIMESTEPS && p.has("timesteps")) {
            throw new InvalidParameterException(p.qualify("timesteps"), p.asMap().get("timesteps"),
                    "cannot be combined with a sigma schedule (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
    }

    NoiseLevel level(int i) {
        return NoiseLevel.ofSigma(sigmas[i]);
    }
}
