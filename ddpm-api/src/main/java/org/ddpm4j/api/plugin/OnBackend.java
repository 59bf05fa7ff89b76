package org.ddpm4j.api.plugin;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/** How a denoiser or classifier factory builds its model on a backend, for a schedule ({@link DenoiserFactory#of}). */
@FunctionalInterface
public interface OnBackend<T> {
    T create(TensorBackend backend, Schedule schedule, Parameters parameters);
}
