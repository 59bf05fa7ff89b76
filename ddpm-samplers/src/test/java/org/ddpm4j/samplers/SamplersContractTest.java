package org.ddpm4j.samplers;

import java.util.List;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.SamplerContract;

/**
 * Every diffusion sampler that {@link SamplersPlugin} lists passes the sampler contract: a new one is
 * tested without editing a test. The flow samplers ({@code flow-*}) integrate a flow schedule, which
 * the contract's diffusion schedules are not, and start at pure noise, where its noise-predicting
 * Gaussian model has no velocity; FlowSamplerTest, FlowMatchDiffusersTest and GaussianPathTest test them.
 */
class SamplersContractTest extends SamplerContract {

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }

    @Override
    protected List<SamplerFactory> samplers() {
        return super.samplers().stream().filter(f -> !f.name().startsWith("flow-")).toList();
    }
}
