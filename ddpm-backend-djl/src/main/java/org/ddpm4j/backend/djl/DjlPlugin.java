package org.ddpm4j.backend.djl;

import java.util.List;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.BackendFactory;
import org.ddpm4j.api.plugin.Plugin;

/** The {@code djl} backend (libtorch through DJL) and the {@code torchscript} denoiser loader. */
public final class DjlPlugin implements Plugin {

    @Override
    public List<BackendFactory> backends() {
        return List.of(BackendFactory.of(DjlBackend.NAME,
                "libtorch through DJL, float32, CPU or GPU: trains and runs networks; {device: cpu|gpu|gpu:N, threads}",
                DjlPlugin::backend));
    }

    private static DjlBackend backend(Parameters p) {
        String device = p.getString("device", null);
        if (p.has("threads")) {
            DjlEngine.threads(Checks.atLeast(p.qualify("threads"), p.requireInt("threads"), 1));
        }
        return new DjlBackend(DjlEngine.device(p.qualify("device"), device));
    }
}
