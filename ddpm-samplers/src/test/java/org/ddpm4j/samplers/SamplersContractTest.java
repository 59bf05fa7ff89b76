package org.ddpm4j.samplers;

import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.SamplerContract;

/** Every sampler that {@link SamplersPlugin} lists passes the sampler contract: a new one is tested without editing a test. */
class SamplersContractTest extends SamplerContract {

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }
}
