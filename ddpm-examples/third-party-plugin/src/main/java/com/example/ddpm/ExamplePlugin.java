package com.example.ddpm;

import java.util.List;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.SamplerFactory;

/** The plugin's entry point, named in META-INF/services/org.ddpm4j.api.plugin.Plugin. */
public final class ExamplePlugin implements Plugin {
    @Override
    public List<SamplerFactory> samplers() {
        return List.of(SamplerFactory.of(ProbabilityFlowEulerSampler.NAME,
                "third-party example: Euler on the VP probability-flow ODE (Song et al. 2021)", ProbabilityFlowEulerSampler::new));
    }
}
