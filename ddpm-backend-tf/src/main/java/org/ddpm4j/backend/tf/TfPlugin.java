package org.ddpm4j.backend.tf;

import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.plugin.BackendFactory;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/**
 * TensorFlow Java: the backend {@code tf} (tensors, networks, training) and the denoiser
 * {@code savedmodel} (a SavedModel directory with its model card).
 */
public final class TfPlugin implements Plugin {

    @Override
    public List<BackendFactory> backends() {
        return List.of(BackendFactory.of(TfBackend.NAME,
                "TensorFlow Java, graph mode: device = cpu | gpu | gpu:N, threads (= intra_op_threads, default 1) and inter_op_threads"
                        + " (default: as many; one of each is bit-for-bit repeatable, more threads are faster and not repeatable)",
                p -> new TfBackend(TfSettings.from(p)), TfRuntime::loadNatives));
    }

    @Override
    public List<DenoiserFactory> denoisers() {
        // no examples: every configuration names a model file, which only the user has
        return List.of(DenoiserFactory.of("savedmodel",
                "a TensorFlow SavedModel directory {path} with its model-card.json (as written by SavedModels.export), on the tf backend",
                List.of(), TfPlugin::savedModel));
    }

    private static Denoiser savedModel(TensorBackend backend, Schedule schedule, Parameters parameters) {
        String path = parameters.requireString("path");
        if (!(backend instanceof TfBackend tf)) {
            throw new InvalidParameterException("backend", backend.name(), "must be tf to run a SavedModel");
        }
        return SavedModelDenoiser.load(tf, schedule, Path.of(path), parameters.qualify("path"));
    }
}
