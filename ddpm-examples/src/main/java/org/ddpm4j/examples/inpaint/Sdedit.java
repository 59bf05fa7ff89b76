package org.ddpm4j.examples.inpaint;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.tensor.Tensor;

/**
 * SDEdit (Meng et al. 2022), the image-to-image of diffusers: noise an input to an intermediate
 * time with the forward process and run the sampler from there. The strength in (0, 1] says how far:
 * the run skips the first {@code steps - ceil(strength * steps)} steps (diffusers' rule), so a small
 * strength keeps the input nearly as it is and strength 1 forgets it and samples the data distribution.
 */
public final class Sdedit {
    private final Sampler sampler;
    private final double strength;

    public Sdedit(Sampler sampler, double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new InvalidParameterException("strength", strength, "must be a number in (0, 1]");
        }
        this.sampler = sampler;
        this.strength = strength;
        if (sampler.timesteps().length == 0) {
            throw new InvalidParameterException("sampler", sampler.name(), "has no fixed step plan to start part-way; use e.g. ddim or dpmsolver++");
        }
    }

    /** The step the edit starts at: the first {@code steps - ceil(strength * steps)} are skipped. */
    public int startStep() {
        int run = (int) Math.ceil(strength * sampler.steps() - 1e-9);
        return sampler.steps() - Math.max(1, run);
    }

    /** The model time the input is noised to. */
    public double startTime() {
        return sampler.timesteps()[startStep()];
    }

    /** Edits {@code input} ({@code [n, ...]} clean data), noising it with {@code noise} (standard normal, same shape). */
    public Tensor edit(Denoiser denoiser, Tensor input, Tensor noise, SampleOptions options) {
        Tensor start = sampler.schedule().addNoise(input, noise, startTime());
        try (SamplingRun run = sampler.startAt(startStep(), denoiser, start, options)) {
            while (!run.isDone()) {
                run.step();
            }
            return run.result();
        }
    }
}
