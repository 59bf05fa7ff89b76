package org.ddpm4j.backend.java.analytic;

import java.util.List;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.JavaPlugin;
import org.ddpm4j.testkit.DenoiserContract;

/** Every example configuration of every denoiser of {@link JavaPlugin} passes the denoiser contract: a new one is tested with no test edit. */
class JavaDenoisersContractTest extends DenoiserContract {

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }

    @Override
    protected List<DenoiserFactory> factories() {
        return new JavaPlugin().denoisers();
    }
}
