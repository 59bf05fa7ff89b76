package com.example.ddpm;

import java.util.List;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.SamplerContract;

/** The plugin's sampler passes the same contract as the built-in ones. */
class ExampleSamplerContractTest extends SamplerContract {

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }

    /** Only this plugin's samplers (the built-in ones on the test class path are tested in their own module). */
    @Override
    protected List<SamplerFactory> samplers() {
        return new ExamplePlugin().samplers();
    }
}
