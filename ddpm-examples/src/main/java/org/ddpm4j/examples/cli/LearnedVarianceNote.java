package org.ddpm4j.examples.cli;

import java.util.Optional;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.samplers.DdpmSampler;

/**
 * The fallback a learned-variance model gets from a sampler other than {@code ddpm}, said once when
 * sampling starts: such samplers use the model's prediction and ignore its variance channels (as
 * diffusers' DDIM and DPM-Solver do).
 */
final class LearnedVarianceNote {
    private LearnedVarianceNote() {
    }

    /** The note for {@code denoiser} sampled by {@code sampler}, or empty when nothing is ignored. */
    static Optional<String> of(Denoiser denoiser, Sampler sampler) {
        if (denoiser.varianceOutput() == VarianceOutput.NONE || sampler.name().equals(DdpmSampler.NAME)) {
            return Optional.empty();
        }
        return Optional.of("note: the model has a learned variance (" + denoiser.varianceOutput().key() + "), which only the ddpm sampler uses; "
                + sampler.name() + " samples with the model's mean prediction and ignores it (--sampler ddpm uses it)");
    }
}
