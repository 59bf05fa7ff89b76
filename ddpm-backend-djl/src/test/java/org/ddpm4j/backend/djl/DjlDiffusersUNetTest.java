package org.ddpm4j.backend.djl;

import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.pretrained.Pretrained;
import org.ddpm4j.testkit.DiffusersUNetContract;

class DjlDiffusersUNetTest extends DiffusersUNetContract {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();

    @Override
    protected NetworkBackend createBackend() {
        return new DjlBackend("cpu");
    }

    @Override
    protected Denoiser load(Path folder, NetworkBackend backend) {
        return Pretrained.load(folder, backend).denoiser();
    }

    @Override
    protected Sampler ddim(Path folder, int steps) {
        return Pretrained.scheduler(folder, "DDIMScheduler", Map.of("steps", steps), REGISTRY).sampler();
    }

    @Override
    protected HostArray npy(Path file) {
        Npy.Array a = Npy.read(file);
        return new HostArray(a.shape(), a.floats());
    }
}
