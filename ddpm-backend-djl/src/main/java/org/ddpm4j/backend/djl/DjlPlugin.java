package org.ddpm4j.backend.djl;

import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.plugin.BackendFactory;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/** The {@code djl} backend (libtorch through DJL) and the {@code torchscript} denoiser loader. */
public final class DjlPlugin implements Plugin {

    @Override
    public List<BackendFactory> backends() {
        return List.of(BackendFactory.of(DjlBackend.NAME,
                "libtorch through DJL, float32, CPU or GPU: trains and runs networks; {device: cpu|gpu|gpu:N, threads}",
                DjlPlugin::backend, DjlEngine::engine));
    }

    @Override
    public List<DenoiserFactory> denoisers() {
        // no examples: every configuration names a model file, which only the user has
        return List.of(DenoiserFactory.of("torchscript",
                "a PyTorch model saved as TorchScript, forward(x_t, t[, y]), with a JSON sidecar; {path: model.pt} (djl backend)",
                List.of(), DjlPlugin::torchScript));
    }

    private static Denoiser torchScript(TensorBackend backend, Schedule schedule, Parameters p) {
        Path file = Path.of(p.requireString("path"));
        if (!(backend instanceof DjlBackend djl)) {
            throw new InvalidParameterException("backend", backend.name(), "cannot run TorchScript; use djl");
        }
        TorchScriptDenoiser.Sidecar sidecar = TorchScriptDenoiser.Sidecar.read(file);
        sidecar.check(schedule, file);
        return new TorchScriptDenoiser(djl, file, sidecar);
    }

    private static DjlBackend backend(Parameters p) {
        String device = p.getString("device", null);
        if (p.has("threads")) {
            DjlEngine.threads(Checks.atLeast(p.qualify("threads"), p.requireInt("threads"), 1));
        }
        return new DjlBackend(DjlEngine.device(p.qualify("device"), device));
    }
}
