package org.ddpm4j.examples.cli;

import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --backend}, {@code --device} and {@code --threads} of commands that run a model from {@link ModelSource}. */
final class ModelBackend {
    @Option(names = "--backend", paramLabel = "NAME", description = "Tensor backend (default: java for gmm/points, djl for checkpoints "
            + "and TorchScript, tf for SavedModels).")
    String name;

    @Mixin
    DeviceOptions devices;

    /** The backend entry of a pipeline configuration: the chosen backend, or the one the model's kind runs on by default. */
    ComponentConfig config(ModelSource source) {
        String backend = name != null ? name : source.kind().defaultBackend();
        return new ComponentConfig(backend, devices.parameters(backend).asMap());
    }
}
