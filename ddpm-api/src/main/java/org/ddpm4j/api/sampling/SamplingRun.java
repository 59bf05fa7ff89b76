package org.ddpm4j.api.sampling;

import org.ddpm4j.api.tensor.Tensor;

/**
 * One sampling run under step-by-step control, for custom loops such as inpainting or SDEdit:
 *
 * <pre>{@code
 * try (SamplingRun run = sampler.start(model, noise, options)) {
 *     while (!run.isDone()) {
 *         run.step();
 *         Tensor known = schedule.addNoise(x0Known, eps, run.time());  // re-noise the known pixels
 *         run.setState(mask.mul(known).add(inverseMask.mul(run.state())));
 *     }
 *     return run.result();
 * }
 * }</pre>
 *
 * The state is always reported in the variance-preserving form
 * {@code x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps} at {@link #time()}, whatever scaling
 * the sampler uses internally.
 */
public interface SamplingRun extends AutoCloseable {

    /** Total number of steps. */
    int steps();

    /** Steps done so far. */
    int stepsDone();

    default boolean isDone() {
        return stepsDone() >= steps();
    }

    /** The model time of the current state ({@code 0} or the final time once done). */
    double time();

    /** The current state {@code x_t}; owned by the run and valid until the next step. */
    Tensor state();

    /**
     * Replaces the current state (same shape). Multistep samplers keep their history: the new state
     * is treated as if the last step had produced it.
     */
    void setState(Tensor state);

    /** Advances one step, evaluating the denoiser as the method requires. */
    void step();

    /** Denoiser evaluations so far (a batched conditional + unconditional pass counts once). */
    long modelEvaluations();

    /** The final sample {@code x_0}; it outlives the run. Only valid once {@link #isDone()}. */
    Tensor result();

    /** Releases the run's working memory (history of model outputs). */
    @Override
    void close();
}
