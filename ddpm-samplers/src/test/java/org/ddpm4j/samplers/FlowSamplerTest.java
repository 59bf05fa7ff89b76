package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Flow models and diffusion samplers meet at equal signal-to-noise ratio: the exact flow model of the
 * mixture, retimed onto a DDPM schedule, samples like the exact noise model; the flow ODE in path
 * time ends where the probability-flow ODE does; and the flow samplers converge to the adaptive
 * flow ODE at their orders.
 */
class FlowSamplerTest {
    private static final FlowSchedule FLOW = (FlowSchedule) Mixtures.REGISTRY.createSchedule("rectified-flow", Parameters.empty());
    private static final Denoiser VELOCITY = Mixtures.denoiser(FLOW).as(Parameterization.FLOW, FLOW);

    private static double[] sample(Sampler sampler, Denoiser model, Tensor noise) {
        try (SamplingRun r = sampler.start(model, noise, SampleOptions.defaults())) {
            while (!r.isDone()) {
                r.step();
            }
            return r.result().toDoubleArray();
        }
    }

    private static double maxDifference(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void anExactVelocityFieldUsedAsANoiseModelSamplesLikeTheExactNoiseModel() {
        Schedule ddpm = Mixtures.linear();
        Tensor noise = Mixtures.noise(32, 5);
        Denoiser asNoiseModel = VELOCITY.retimed(FLOW, ddpm);
        for (String name : new String[] {"ddim", "dpmsolver++", "unipc"}) {
            Sampler sampler = Mixtures.REGISTRY.createSampler(name, ddpm, Parameters.of("steps", 20));
            double d = maxDifference(sample(sampler, Mixtures.denoiser(ddpm), noise), sample(sampler, asNoiseModel, noise));
            assertTrue(d < 1e-9, name + ": " + d);
        }
    }

    @Test
    void theFlowOdeInPathTimeEndsWhereTheProbabilityFlowOdeEnds() {
        Schedule ddpm = Mixtures.linear();
        Tensor noise = Mixtures.noise(16, 9);
        double sStart = FLOW.path().timeAtSigma(ddpm.sigma(ddpm.tMax()));
        double sEnd = FLOW.path().timeAtSigma(ddpm.sigma(ddpm.tMin()));
        Parameters tight = Parameters.of("rtol", 1e-9, "atol", 1e-9);
        double[] vp = sample(Mixtures.REGISTRY.createSampler("ode", ddpm, tight), Mixtures.denoiser(ddpm), noise);
        Sampler flowOde = Mixtures.REGISTRY.createSampler("flow-ode", FLOW, tight.with("s_start", sStart).with("s_end", sEnd));
        // the same point on the flow path: x_flow = scale(s) x_vp; the run reports the variance-preserving point
        double[] flow = sample(flowOde, VELOCITY, noise.mul(FLOW.path().scale(sStart)));
        double d = maxDifference(vp, flow);
        assertTrue(d < 1e-6, "ode vs flow-ode: " + d);
    }

    @Test
    void flowSamplersConvergeAtTheirOrders() {
        Tensor noise = Mixtures.noise(32, 11);
        double[] exact = sample(Mixtures.REGISTRY.createSampler("flow-ode", FLOW, Parameters.of("rtol", 1e-11, "atol", 1e-11)), VELOCITY, noise);
        for (Object[] c : new Object[][] {{"flow-euler", 1}, {"flow-heun", 2}, {"flow-midpoint", 2}}) {
            double[] errors = new double[3];
            for (int k = 0; k < 3; k++) {
                Sampler s = Mixtures.REGISTRY.createSampler((String) c[0], FLOW, Parameters.of("steps", 16 << k));
                errors[k] = maxDifference(exact, sample(s, VELOCITY, noise));
            }
            double order = Math.log(errors[1] / errors[2]) / Math.log(2);
            assertEquals((int) c[1], order, 0.3, c[0] + ": errors " + java.util.Arrays.toString(errors));
        }
    }

    @Test
    void aSavedFluxConfigurationLoadsKeyForKey() {
        // FLUX.1's scheduler_config.json as diffusers saves it (every key, nulls included)
        java.util.Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("_class_name", "FlowMatchEulerDiscreteScheduler");
        config.put("_diffusers_version", "0.30.0.dev0");
        config.put("base_image_seq_len", 256);
        config.put("base_shift", 0.5);
        config.put("invert_sigmas", false);
        config.put("max_image_seq_len", 4096);
        config.put("max_shift", 1.15);
        config.put("num_train_timesteps", 1000);
        config.put("shift", 3.0);
        config.put("shift_terminal", null);
        config.put("stochastic_sampling", false);
        config.put("time_shift_type", "exponential");
        config.put("use_beta_sigmas", false);
        config.put("use_dynamic_shifting", true);
        config.put("use_exponential_sigmas", false);
        config.put("use_karras_sigmas", false);
        var d = org.ddpm4j.core.config.DiffusersScheduler.read(config, "scheduler_config.json",
                java.util.Map.of("steps", 4, "image_seq_len", 4096), Mixtures.REGISTRY);
        assertEquals(Parameterization.FLOW, d.predictionType());
        double[] sigmas = ((FlowMatchSampler) d.sampler()).sigmas();
        // mu = max_shift at the largest resolution: sigma' = e^mu / (e^mu + 1/sigma - 1), sigma = 1 - i (1 - 1/1000) / 3
        double mu = 1.15;
        for (int i = 0; i < 4; i++) {
            double sigma = 1 - i * (1 - 1e-3) / 3;
            assertEquals(Math.exp(mu) / (Math.exp(mu) + 1 / sigma - 1), sigmas[i], 1e-6, "sigma " + i);
        }
    }

    @Test
    void aFlowSamplerRefusesADiffusionScheduleAndABadShift() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Mixtures.REGISTRY.createSampler("flow-euler", Mixtures.linear(), Parameters.of("steps", 4)));
        assertTrue(e.getMessage().contains("schedule") && e.getMessage().contains("linear"), e.getMessage());
        InvalidParameterException shift = assertThrows(InvalidParameterException.class,
                () -> Mixtures.REGISTRY.createSampler("flow-euler", FLOW, Parameters.of("steps", 4, "shift", -1.0)));
        assertTrue(shift.getMessage().contains("shift"), shift.getMessage());
        for (String sampler : List.of("flow-euler", "flow-heun", "flow-midpoint")) {
            for (double bad : new double[] {0.0, -1.0, Double.POSITIVE_INFINITY, Double.NaN}) {
                InvalidParameterException e2 = assertThrows(InvalidParameterException.class,
                        () -> Mixtures.REGISTRY.createSampler(sampler, FLOW, Parameters.of("steps", 4, "shift", bad)), sampler + " " + bad);
                assertEquals("sampler.shift", e2.parameter(), sampler);
                assertEquals("must be a finite number > 0 (1 = no shift)", e2.allowed(), sampler);
            }
        }
        for (double bad : new double[] {0.0, 1.0, 1.5}) {
            InvalidParameterException terminal = assertThrows(InvalidParameterException.class,
                    () -> Mixtures.REGISTRY.createSampler("flow-euler", FLOW, Parameters.of("steps", 4, "shift_terminal", bad)));
            assertEquals("sampler.shift_terminal", terminal.parameter());
        }
        InvalidParameterException nanMu = assertThrows(InvalidParameterException.class, () -> Mixtures.REGISTRY.createSampler("flow-euler",
                FLOW, Parameters.of("steps", 4, "use_dynamic_shifting", true, "mu", Double.NaN)));
        assertEquals("sampler.mu", nanMu.parameter());
        InvalidParameterException mu = assertThrows(InvalidParameterException.class,
                () -> Mixtures.REGISTRY.createSampler("flow-euler", FLOW, Parameters.of("steps", 4, "use_dynamic_shifting", true)));
        assertTrue(mu.getMessage().contains("mu"), mu.getMessage());
    }
}
