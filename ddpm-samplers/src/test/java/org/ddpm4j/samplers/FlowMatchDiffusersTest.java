package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.toolkit.io.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * diffusers' FlowMatchEulerDiscreteScheduler and FlowMatchHeunDiscreteScheduler, configured key for
 * key through {@link DiffusersScheduler}, on the exact flow model of a Gaussian mixture in diffusers'
 * convention: the same model times and the same samples as diffusers' own code run on the same noise
 * ({@code diffusers/flow_loops.json}, tools/diffusers-reference/generate_flow_fixtures.py), to 1e-5.
 * The stochastic case was given the noise our sampler draws from the seed.
 */
class FlowMatchDiffusersTest {

    static Stream<Map<String, Object>> cases() throws IOException {
        return fixture().get("cases") instanceof List<?> l ? l.stream().map(FlowMatchDiffusersTest::map) : Stream.empty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static Map<String, Object> fixture() throws IOException {
        try (InputStream in = FlowMatchDiffusersTest.class.getResourceAsStream("/diffusers/flow_loops.json")) {
            return Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8), "flow_loops.json");
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void reproducesDiffusers(Map<String, Object> c) throws IOException {
        Map<String, Object> fixture = fixture();
        String name = (String) c.get("name");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("steps", c.get("steps"));
        if (c.get("mu") != null) {
            run.put("mu", c.get("mu"));
        }
        if (c.get("custom_sigmas") != null) {
            run.put("sigmas", c.get("custom_sigmas"));
        }
        DiffusersScheduler d = DiffusersScheduler.read((Map<String, Object>) c.get("config"), name, run, Mixtures.REGISTRY);
        assertEquals(Parameterization.FLOW, d.predictionType());
        GaussianMixture mixture = GaussianMixture.fromParameters(Parameters.of((Map<String, Object>) fixture.get("mixture")));
        Denoiser exact = new GaussianMixtureDenoiser(mixture, d.schedule(), false).as(Parameterization.FLOW, d.schedule());
        List<Double> calls = new ArrayList<>();
        Denoiser recording = new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return exact.parameterization();
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                calls.add(t[0]);
                return exact.predict(x, t, condition);
            }
        };
        Tensor noise = Mixtures.BACKEND.fromHost(flatten((List<List<Number>>) fixture.get("noise")), 8, 2);
        double[] samples;
        try (SamplingRun r = d.sampler().start(recording, noise, SampleOptions.defaults().withSeed(((Number) fixture.get("seed")).longValue()))) {
            while (!r.isDone()) {
                r.step();
            }
            samples = r.result().toDoubleArray();
        }
        List<Number> expectedCalls = (List<Number>) c.get("calls");
        assertEquals(expectedCalls.size(), calls.size(), name + ": number of model evaluations");
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(expectedCalls.get(i).doubleValue(), calls.get(i), 1e-3, name + ": model time of evaluation " + i);
        }
        double[] expected = flatten((List<List<Number>>) c.get("samples"));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], samples[i], 1e-5, name + ": sample value " + i);
        }
        if (d.sampler() instanceof FlowMatchSampler f) {
            List<Number> sigmas = (List<Number>) c.get("sigmas");
            double[] ours = f.sigmas();
            int stride = name.startsWith("heun") ? 2 : 1; // diffusers' Heun repeats the inner levels
            for (int i = 0; i < ours.length; i++) {
                assertEquals(sigmas.get(Math.min(i == 0 ? 0 : stride * i - (stride - 1), sigmas.size() - 1)).doubleValue(), ours[i], 1e-7,
                        name + ": sigma " + i);
            }
        }
    }

    private static double[] flatten(List<List<Number>> rows) {
        return rows.stream().flatMap(List::stream).mapToDouble(Number::doubleValue).toArray();
    }
}
