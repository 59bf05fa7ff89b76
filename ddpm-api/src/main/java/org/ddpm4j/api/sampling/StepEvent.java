package org.ddpm4j.api.sampling;

import org.ddpm4j.api.tensor.Tensor;

/**
 * The state of a run after a step.
 *
 * @param step              steps done (1 after the first step)
 * @param steps             total steps of the run
 * @param time              model time of {@code state}
 * @param state             {@code x_t} in variance-preserving form
 * @param denoised          the model's estimate of {@code x_0} made in this step, or null if the method has none
 * @param modelEvaluations  denoiser evaluations so far
 */
public record StepEvent(int step, int steps, double time, Tensor state, Tensor denoised, long modelEvaluations) {
}
