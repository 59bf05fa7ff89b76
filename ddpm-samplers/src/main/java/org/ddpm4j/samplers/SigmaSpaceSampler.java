package org.ddpm4j.samplers;

import org.ddpm4j.api.Checks;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The k-diffusion family (Karras et al. 2022; diffusers' Euler, Euler ancestral, Heun, LMS): the
 * state is {@code x_t / alpha_t = x_0 + sigma eps} and the probability-flow ODE reads
 * {@code dx/dsigma = (x - D(x; sigma)) / sigma} with the denoiser {@code D = x0_theta}. The model
 * receives {@code x / sqrt(sigma^2 + 1)}, the variance-preserving {@code x_t}, at the model time of
 * the step: fractional for {@code linspace} timesteps (sigma interpolated linearly between training
 * steps) and for sigma schedules (times interpolated in log sigma, diffusers' {@code _sigma_to_t}).
 *
 * <p>Shared parameters: {@code steps} (50), {@code timestep_spacing} (linspace; or logsnr, quadratic: see {@link Spacing}), {@code steps_offset},
 * {@code timesteps} (custom list), {@code use_karras_sigmas}, {@code use_exponential_sigmas},
 * {@code use_beta_sigmas}, {@code final_sigmas_type} (zero | sigma_min; diffusers has it for Euler only).
 * The initial state is the noise times diffusers' {@code init_noise_sigma}: {@code sigma_max} for
 * linspace and trailing spacing, {@code sqrt(sigma_max^2 + 1)} for leading.
 */
abstract class SigmaSpaceSampler extends BaseSampler {
    private final double[] sigmas;
    private final double initialSigma;

    SigmaSpaceSampler(String name, DiscreteSchedule schedule, Plan plan) {
        super(name, schedule, plan.timesteps);
        this.sigmas = plan.sigmas;
        this.initialSigma = plan.initialSigma;
    }

    /** Where a sigma-space sampler steps: model times, sigmas ({@code n + 1}, the last the final one), {@code init_noise_sigma}. */
    record Plan(double[] timesteps, double[] sigmas, double initialSigma) {

        /** Reads the shared parameters; {@code sigmaRange} also reads {@code sigma_min} / {@code sigma_max} (Euler). */
        static Plan read(DiscreteSchedule schedule, Parameters p, boolean sigmaRange) {
            Spacing spacing = Spacing.readFractional(p, "linspace");
            int offset = SamplerParameters.stepsOffset(p);
            SigmaKind kind = SigmaKind.read(p, false);
            SolverSteps.requireNoCustomTimesteps(p, kind);
            double[] timesteps = SamplerParameters.timesteps(p, schedule, 50, true, n -> spacing.isFractional() ? spacing.fractional(schedule, n)
                    : spacing.timesteps(schedule.trainSteps(), n, offset));
            double[] table = Sigmas.table(schedule);
            double[] s = Sigmas.interpolate(table, timesteps);
            int n = timesteps.length;
            // diffusers' Euler reads sigma_min / sigma_max for sigma schedules only; their values are checked regardless
            double givenMin = sigmaRange && p.has("sigma_min") ? Checks.positive(p.qualify("sigma_min"), p.getDouble("sigma_min", 1)) : s[n - 1];
            double givenMax = sigmaRange && p.has("sigma_max") ? Checks.positive(p.qualify("sigma_max"), p.getDouble("sigma_max", 1)) : s[0];
            if (kind != SigmaKind.TIMESTEPS) {
                double sigmaMin = givenMin;
                double sigmaMax = givenMax;
                s = kind.sigmas(sigmaMin, sigmaMax, n);
                timesteps = Sigmas.times(table, s);
            }
            double[] all = java.util.Arrays.copyOf(s, n + 1);
            all[n] = SolverSteps.finalZero(p) ? 0 : table[0];
            double max = java.util.Arrays.stream(all).max().orElseThrow();
            double initial = spacing == Spacing.LEADING ? Math.sqrt(max * max + 1) : max; // diffusers' init_noise_sigma
            return new Plan(timesteps, all, initial);
        }
    }

    /** {@code sigma_i}, {@code 0 <= i <= steps()}. */
    double sigma(int i) {
        return sigmas[i];
    }

    /** The denoiser at the state {@code x} of noise level {@code sigma} and model time {@code t}. */
    ModelOutput model(Step step, Tensor x, double sigma, double t) {
        return step.model(x.mul(NoiseLevel.ofSigma(sigma).alpha()), t);
    }

    @Override
    public double initialScale() {
        return initialSigma;
    }

    @Override
    public double stateScale(int i) {
        return NoiseLevel.ofSigma(sigmas[i]).alpha();
    }
}
