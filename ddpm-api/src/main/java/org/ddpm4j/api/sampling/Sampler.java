package org.ddpm4j.api.sampling;

import java.util.OptionalInt;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * A numerical method that turns noise into data by running the reverse process of a
 * {@link Schedule} with a {@link Denoiser}: ancestral sampling of {@code p_theta(x_{t-1} | x_t)}
 * (DDPM), a solver of the probability-flow ODE (DDIM, DPM-Solver, ...), or of the reverse SDE.
 *
 * <p>A sampler is configured once (schedule, number of steps, options) and is stateless after
 * that: every {@link #start} returns an independent {@link SamplingRun} holding the state of one
 * run, so one sampler can serve many runs. Randomness comes only from {@link SampleOptions#seed()}.
 *
 * <p>Row {@code r} of a batch is sample {@code SampleOptions#firstIndex() + r} of the run: a sampler
 * draws its noise per sample ({@code GaussianNoise.forSample}) and computes each sample from its own
 * row, so that sample {@code i} is the same whichever batch computes it, unless it
 * {@linkplain #couplesBatch() couples the batch}.
 */
public interface Sampler {

    /** The plugin name, e.g. {@code ddim}. */
    String name();

    /** The schedule the sampler runs backwards. */
    Schedule schedule();

    /** The number of steps of a run. */
    int steps();

    /**
     * The model times of the steps, in order (diffusers' {@code scheduler.timesteps}): the time at
     * which each step evaluates the denoiser first. Empty for samplers that choose their steps
     * adaptively.
     */
    double[] timesteps();

    /**
     * Starts a run from standard normal {@code noise} ({@code N(0, I)}, shape {@code [batch, ...]});
     * the sampler scales it to its initial state as diffusers' pipelines do ({@code init_noise_sigma}).
     */
    SamplingRun start(Denoiser denoiser, Tensor noise, SampleOptions options);

    /**
     * Starts a run at step {@code step} ({@code 0 <= step < steps()}) from {@code state}, a
     * variance-preserving {@code x_t} at time {@code timesteps()[step]}, for example data noised with
     * {@link Schedule#addNoise} (SDEdit, image-to-image). Nothing is rescaled; multistep methods start
     * with an empty history, as diffusers does for a loop over {@code scheduler.timesteps[k:]}.
     *
     * @throws UnsupportedOperationException if the sampler can only start from noise (the default)
     */
    default SamplingRun startAt(int step, Denoiser denoiser, Tensor state, SampleOptions options) {
        throw new UnsupportedOperationException("sampler '" + name() + "' can only start from noise (step 0)");
    }

    /** Runs all steps and returns {@code x_0}. */
    default Tensor sample(Denoiser denoiser, Tensor noise, SampleOptions options) {
        try (SamplingRun run = start(denoiser, noise, options)) {
            while (!run.isDone()) {
                run.step();
            }
            return run.result();
        }
    }

    /**
     * The order {@code p} of global convergence of this sampler as configured, when it is a
     * deterministic solver of the probability-flow ODE: its error against the exact flow falls by
     * at least {@code 2^p} when the steps double (SamplerContract measures it on every example of
     * the factory). Empty (the default) for stochastic samplers and methods with no fixed order.
     */
    default OptionalInt order() {
        return OptionalInt.empty();
    }

    /**
     * Whether a sample depends on the other samples of its batch, through a step size or an error
     * control shared by the batch. False (the default) means sample {@code i} is a function of the
     * seed, {@code i}, the noise row and the condition row alone, so cutting a run into batches
     * changes nothing but memory (SamplerContract checks it bit for bit). A batch-coupled sampler is
     * reproduced only by the same batches.
     */
    default boolean couplesBatch() {
        return false;
    }
}
