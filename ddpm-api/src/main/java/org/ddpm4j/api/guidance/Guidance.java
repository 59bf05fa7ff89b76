package org.ddpm4j.api.guidance;

import org.ddpm4j.api.model.Denoiser;

/**
 * A way to steer sampling toward a condition {@code y} by changing the model's prediction, so that
 * every sampler can be guided without knowing it: classifier-free guidance (Ho &amp; Salimans 2022),
 * {@code eps~ = eps(x, null) + w (eps(x, y) - eps(x, null))}, or classifier guidance (Dhariwal &amp;
 * Nichol 2021), {@code eps~ = eps - s sqrt(1 - alphaBar_t) grad_x log p_phi(y | x_t)}.
 *
 * <p>The guided denoiser reads the target classes from the {@code Condition} it is called with.
 */
public interface Guidance {

    /** The plugin name, e.g. {@code cfg}. */
    String name();

    /**
     * Wraps {@code model} into a guided denoiser. Fails here, before sampling starts, if the model or
     * the context cannot be guided this way (an unconditional model, a missing classifier, classes
     * that do not match).
     */
    Denoiser guide(Denoiser model, GuidanceContext context);
}
