package org.ddpm4j.backend.tf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
                "TensorFlow Java, graph mode: device = cpu | gpu | gpu:N, threads (= intra_op_threads) and inter_op_threads"
                        + " (default 1 and 1: bit-for-bit repeatable; more threads are faster and not repeatable)",
                p -> new TfBackend(TfSettings.from(p)), TfRuntime::loadNatives));
    }

    @Override
    public List<DenoiserFactory> denoisers() {
        return List.of(new DenoiserFactory() {
            @Override
            public String name() {
                return "savedmodel";
            }

            /** None: every configuration names a model file, which only the user has. */
            @Override
            public List<Map<String, Object>> examples() {
                return List.of();
            }

            @Override
            public String description() {
                return "a TensorFlow SavedModel directory {path} with its model-card.json (as written by SavedModels.export), on the tf backend";
            }

            @Override
            public Denoiser create(TensorBackend backend, Schedule schedule, Parameters parameters) {
                String path = parameters.requireString("path");
                if (!(backend instanceof TfBackend tf)) {
                    throw new InvalidParameterException("backend", backend.name(), "must be tf to run a SavedModel");
                }
                return SavedModelDenoiser.load(tf, schedule, Path.of(path), parameters.qualify("path"));
            }
        });
    }
}
