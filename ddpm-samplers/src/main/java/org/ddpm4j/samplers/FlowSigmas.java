package org.ddpm4j.samplers;

import java.util.Locale;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.toolkit.sampling.SamplerParameters;

/**
 * The noise levels {@code sigma_0 > ... > sigma_{n-1}} (and a final 0) at which a flow-matching
 * sampler evaluates the model, as diffusers' FlowMatch schedulers place them (in double precision, where
 * diffusers rounds to float32: they agree to about 1e-7): {@code n} levels evenly between {@code sigma_max} and {@code sigma_min} of the training
 * grid, then a time reparameterisation. Sigma is the path time {@code s} of
 * {@code x_s = (1 - s) x_0 + s eps}; the model time is {@code s * num_train_timesteps}.
 * <ul>
 *   <li>{@code shift} (SD3): {@code s' = shift s / (1 + (shift - 1) s)}, the same signal-to-noise
 *       ratio divided by {@code shift^2}: more steps at high noise. diffusers applies it to the
 *       training grid and once more to the inference levels; so does this plan.</li>
 *   <li>{@code use_dynamic_shifting} (Flux): instead, {@code s' = e^mu / (e^mu + (1/s - 1))}
 *       ({@code time_shift_type} exponential) or {@code mu / (mu + (1/s - 1))} (linear), with
 *       {@code mu} given, or from the resolution: {@code image_seq_len} interpolated linearly between
 *       ({@code base_image_seq_len}, {@code base_shift}) and ({@code max_image_seq_len}, {@code max_shift}).
 *       {@code exp(mu)} plays the role of {@code shift}.</li>
 *   <li>{@code shift_terminal}: stretches the levels so that the last one is this value.</li>
 *   <li>{@code use_karras_sigmas} / {@code use_exponential_sigmas} / {@code use_beta_sigmas}: respaces
 *       the levels between the first and last (rho = 7; log-uniform; Beta(0.6, 0.6) quantiles).</li>
 *   <li>{@code sigmas}: the levels themselves before the reparameterisations (diffusers'
 *       {@code set_timesteps(sigmas=...)}), e.g. {@code 1, 3/4, 1/2, 1/4} for four equal steps.</li>
 *   <li>{@code invert_sigmas}: {@code sigma -> 1 - sigma}, ending at 1 (models of the reversed time convention).</li>
 * </ul>
 *
 * @param sigmas     the {@code n + 1} levels, the last the end point (0, or 1 when inverted)
 * @param timesteps  the {@code n} model times {@code sigma * num_train_timesteps}
 */
record FlowSigmas(double[] sigmas, double[] timesteps) {

    /** Reads the plan of a FlowMatchEulerDiscreteScheduler configuration (all its keys) for {@code trainSteps}. */
    static FlowSigmas readEuler(Parameters p, int trainSteps) {
        return read(p, trainSteps, true);
    }

    /** Reads the plan of a FlowMatchHeunDiscreteScheduler configuration: {@code shift} only, as diffusers. */
    static FlowSigmas readHeun(Parameters p, int trainSteps) {
        return read(p, trainSteps, false);
    }

    private static FlowSigmas read(Parameters p, int trainSteps, boolean all) {
        double[] custom = all && p.has("sigmas") ? customSigmas(p) : null;
        int n = custom != null ? custom.length : SamplerParameters.steps(p, trainSteps, 28);
        double shift = p.getDouble("shift", 1.0);
        if (!(shift > 0) || Double.isInfinite(shift)) {
            throw new InvalidParameterException(p.qualify("shift"), shift, "must be a finite number > 0 (1 = no shift)");
        }
        boolean dynamic = all && p.getBoolean("use_dynamic_shifting", false);
        Double mu = all ? mu(p, dynamic) : null;
        boolean linearShift = all && p.getChoice("time_shift_type", "exponential", "exponential", "linear").equals("linear");
        Double terminal = null;
        String spacing = "uniform";
        boolean invert = false;
        if (all) {
            p.markUsed("shift_terminal"); // diffusers writes null for none
            if (p.has("shift_terminal")) {
                terminal = Checks.open(p.qualify("shift_terminal"), p.requireDouble("shift_terminal"), 0, 1);
            }
            spacing = spacing(p);
            invert = p.getBoolean("invert_sigmas", false);
        }
        // the ends of the training grid
        double sigmaMax = dynamic ? 1 : shift(1, shift);
        double sigmaMin = dynamic ? 1.0 / trainSteps : shift(1.0 / trainSteps, shift);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            if (custom != null) {
                s[i] = dynamic ? timeShift(mu, custom[i], linearShift) : shift * custom[i] / (1 + (shift - 1) * custom[i]);
                continue;
            }
            double t = n == 1 ? sigmaMax * (double) trainSteps
                    : sigmaMax * (double) trainSteps + i * ((sigmaMin * (double) trainSteps - sigmaMax * (double) trainSteps) / (n - 1));
            double sigma = t / trainSteps;
            s[i] = dynamic ? timeShift(mu, sigma, linearShift) : shift * sigma / (1 + (shift - 1) * sigma);
        }
        if (terminal != null) {
            double scale = (1 - s[n - 1]) / (1 - terminal);
            for (int i = 0; i < n; i++) {
                s[i] = 1 - (1 - s[i]) / scale;
            }
        }
        s = respace(s, spacing);
        double[] sigmas = new double[n + 1];
        double[] timesteps = new double[n];
        for (int i = 0; i < n; i++) {
            double sigma = invert ? 1 - s[i] : s[i];
            sigmas[i] = sigma;
            timesteps[i] = sigma * trainSteps;
        }
        sigmas[n] = invert ? 1 : 0;
        return new FlowSigmas(sigmas, timesteps);
    }

    /** diffusers' {@code set_timesteps(sigmas=...)}: the levels before shifting, decreasing in (0, 1]; {@code steps}, if given, must agree. */
    private static double[] customSigmas(Parameters p) {
        double[] s = p.requireDoubleArray("sigmas");
        if (s.length == 0) {
            throw new InvalidParameterException(p.qualify("sigmas"), "[]", "must list at least one level");
        }
        for (int i = 0; i < s.length; i++) {
            if (!(s[i] > 0 && s[i] <= 1) || (i > 0 && !(s[i] < s[i - 1]))) {
                throw new InvalidParameterException(p.qualify("sigmas"), java.util.Arrays.toString(s), "must decrease strictly within (0, 1]");
            }
        }
        if (p.has("steps") && p.getInt("steps", s.length) != s.length) {
            throw new InvalidParameterException(p.qualify("steps"), p.getInt("steps", 0), "must equal the number of sigmas (" + s.length + ")");
        }
        return s;
    }

    private static double shift(double sigma, double shift) {
        return shift * sigma / (1 + (shift - 1) * sigma);
    }

    private static double timeShift(double mu, double t, boolean linear) {
        double m = linear ? mu : Math.exp(mu);
        return m / (m + (1 / t - 1));
    }

    /** {@code mu}: given, or from {@code image_seq_len} (diffusers' pipelines' calculate_shift); required with dynamic shifting. */
    private static Double mu(Parameters p, boolean dynamic) {
        double baseShift = p.getDouble("base_shift", 0.5);
        double maxShift = p.getDouble("max_shift", 1.15);
        int baseLen = p.getInt("base_image_seq_len", 256);
        int maxLen = p.getInt("max_image_seq_len", 4096);
        p.markUsed("mu", "image_seq_len");
        boolean hasMu = p.has("mu");
        boolean hasLen = p.has("image_seq_len");
        if (!dynamic) {
            if (hasMu || hasLen) {
                throw new InvalidParameterException(p.qualify(hasMu ? "mu" : "image_seq_len"), p.asMap().get(hasMu ? "mu" : "image_seq_len"),
                        "applies only with use_dynamic_shifting = true");
            }
            return null;
        }
        if (hasMu && hasLen) {
            throw new InvalidParameterException(p.qualify("mu"), p.asMap().get("mu"), "is given together with image_seq_len; give one");
        }
        if (hasMu) {
            return Checks.finite(p.qualify("mu"), p.requireDouble("mu"));
        }
        if (hasLen) {
            if (maxLen == baseLen) {
                throw new InvalidParameterException(p.qualify("max_image_seq_len"), maxLen, "must differ from base_image_seq_len");
            }
            int len = Checks.atLeast(p.qualify("image_seq_len"), p.getInt("image_seq_len", 0), 1);
            double slope = (maxShift - baseShift) / (maxLen - baseLen);
            return len * slope + (baseShift - slope * baseLen);
        }
        throw new InvalidParameterException(p.qualify("mu"), "missing", "use_dynamic_shifting needs the shift mu: give --param mu=V "
                + "(diffusers' set_timesteps(mu=...)) or image_seq_len=N");
    }

    private static String spacing(Parameters p) {
        String chosen = "uniform";
        for (String key : new String[] {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas"}) {
            if (p.getBoolean(key, false)) {
                if (!chosen.equals("uniform")) {
                    throw new InvalidParameterException(p.qualify(key), true, "only one of use_karras_sigmas, use_exponential_sigmas, "
                            + "use_beta_sigmas may be true");
                }
                chosen = key.substring(4, key.indexOf("_sigmas")).toLowerCase(Locale.ROOT);
            }
        }
        return chosen;
    }

    private static double[] respace(double[] in, String spacing) {
        int n = in.length;
        double max = in[0];
        double min = in[n - 1];
        if (spacing.equals("uniform")) {
            return in;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double ramp = n == 1 ? 0 : (double) i / (n - 1);
            out[i] = switch (spacing) {
                case "karras" -> {
                    double rho = 7;
                    double hi = Math.pow(max, 1 / rho);
                    yield Math.pow(hi + ramp * (Math.pow(min, 1 / rho) - hi), rho);
                }
                case "exponential" -> Math.exp(Math.log(max) + ramp * (Math.log(min) - Math.log(max)));
                case "beta" -> min + new BetaDistribution(null, 0.6, 0.6, 1e-12).inverseCumulativeProbability(1 - ramp) * (max - min);
                default -> throw new AssertionError(spacing);
            };
        }
        return out;
    }
}
