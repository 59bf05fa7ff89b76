package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipelines;
import org.junit.jupiter.api.Test;

/** How a scheduler_config.json maps onto a schedule, a sampler and a prediction type. */
class DiffusersSchedulerTest {

    @Test
    void aSavedConfigurationMapsKeyForKey() {
        // a DPMSolverMultistepScheduler config as diffusers 0.3x saves it (Stable Diffusion 2.1)
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_class_name", "DPMSolverMultistepScheduler");
        config.put("_diffusers_version", "0.30.0");
        config.put("algorithm_type", "dpmsolver++");
        config.put("beta_end", 0.012);
        config.put("beta_schedule", "scaled_linear");
        config.put("beta_start", 0.00085);
        config.put("dynamic_thresholding_ratio", 0.995);
        config.put("euler_at_final", false);
        config.put("final_sigmas_type", "zero");
        config.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        config.put("lower_order_final", true);
        config.put("num_train_timesteps", 1000);
        config.put("prediction_type", "v_prediction");
        config.put("rescale_betas_zero_snr", false);
        config.put("sample_max_value", 1.0);
        config.put("solver_order", 2);
        config.put("solver_type", "midpoint");
        config.put("steps_offset", 1);
        config.put("thresholding", false);
        config.put("timestep_spacing", "linspace");
        config.put("trained_betas", null);
        config.put("use_beta_sigmas", false);
        config.put("use_exponential_sigmas", false);
        config.put("use_flow_sigmas", false);
        config.put("flow_shift", 1.0);
        config.put("use_karras_sigmas", false);
        config.put("use_lu_lambdas", false);
        config.put("variance_type", null);
        DiffusersScheduler s = DiffusersScheduler.read(config, "scheduler_config.json", Map.of("steps", 25), Mixtures.REGISTRY);
        assertEquals("scaled-linear", s.schedule().name());
        assertEquals(0.00085, ((DiscreteSchedule) s.schedule()).beta(0), 1e-15);
        assertEquals("dpmsolver-multistep", s.sampler().name());
        assertEquals(25, s.sampler().steps());
        assertEquals(Parameterization.V, s.predictionType());
    }

    @Test
    void heunsOwnScheduleDefaultsApplyWhenTheKeysAreMissing() {
        DiffusersScheduler heun = DiffusersScheduler.read(Map.of("_class_name", "HeunDiscreteScheduler"), "c", Map.of("steps", 5),
                Mixtures.REGISTRY);
        assertEquals(0.00085, ((DiscreteSchedule) heun.schedule()).beta(0), 1e-15);
        assertEquals(0.012, ((DiscreteSchedule) heun.schedule()).beta(999), 1e-15);
        assertEquals(Parameterization.EPSILON, heun.predictionType());
    }

    @Test
    void theTimestepsAreDiffusers() {
        DiffusersScheduler ddim = DiffusersScheduler.read(Map.of("_class_name", "DDIMScheduler", "steps_offset", 1), "c",
                Map.of("steps", 5), Mixtures.REGISTRY);
        // diffusers' test_scheduler_ddim.py::test_steps_offset
        assertArrayEquals(new double[] {801, 601, 401, 201, 1}, ddim.sampler().timesteps());
    }

    private static DiffusersScheduler read(Map<String, Object> config) {
        return DiffusersScheduler.read(config, "scheduler_config.json", Map.of("steps", 10), Mixtures.REGISTRY);
    }

    private static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> c = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            c.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return c;
    }

    @Test
    void keysOfOtherClassesAndVersionsAreIgnoredAndListed() {
        // PNDMScheduler reads neither clip_sample (DDIM's) nor timestep_values (diffusers 0.2); a typo is ignored as diffusers does
        DiffusersScheduler pndm = read(config("_class_name", "PNDMScheduler", "_diffusers_version", "0.2.4", "_use_default_values", List.of("x"),
                "clip_sample", false, "timestep_values", null, "skip_prk_steps", true, "set_alpha_to_one", false, "clip_sampel", 3));
        assertEquals(List.of("clip_sample", "timestep_values", "clip_sampel"), pndm.ignoredKeys());
        assertEquals("PNDMScheduler", pndm.className());
        assertEquals(List.of("clip_sample"), read(config("_class_name", "PNDMScheduler", "clip_sample", false)).ignoredKeys());
    }

    @Test
    void nullMeansTheDefault() {
        DiffusersScheduler withNulls = read(config("_class_name", "EulerDiscreteScheduler", "sigma_min", null, "sigma_max", null,
                "trained_betas", null, "timestep_spacing", "leading", "steps_offset", 1, "use_karras_sigmas", true));
        DiffusersScheduler without = read(config("_class_name", "EulerDiscreteScheduler", "timestep_spacing", "leading", "steps_offset", 1,
                "use_karras_sigmas", true));
        assertArrayEquals(without.sampler().timesteps(), withNulls.sampler().timesteps(), 0.0);
        assertEquals("linear", withNulls.schedule().name());
        assertTrue(withNulls.ignoredKeys().isEmpty());
        // and a given sigma range does change the Karras timesteps
        DiffusersScheduler range = read(config("_class_name", "EulerDiscreteScheduler", "sigma_min", 0.1, "sigma_max", 10.0,
                "use_karras_sigmas", true));
        assertTrue(range.sampler().timesteps()[0] < without.sampler().timesteps()[0]);
    }

    @Test
    void flaxClassNamesLoadTheSameSamplers() {
        for (String name : List.of("DDIM", "PNDM", "DDPM", "EulerDiscrete", "DPMSolverMultistep", "LMSDiscrete")) {
            DiffusersScheduler flax = read(config("_class_name", "Flax" + name + "Scheduler"));
            DiffusersScheduler torch = read(config("_class_name", name + "Scheduler"));
            assertEquals(torch.sampler().name(), flax.sampler().name(), name);
            assertEquals(name + "Scheduler", flax.className());
            assertArrayEquals(torch.sampler().timesteps(), flax.sampler().timesteps(), 0.0, name);
        }
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> read(config("_class_name", "FlaxKarrasVeScheduler")));
        assertEquals("scheduler_config.json._class_name", e.parameter());
    }

    @Test
    void flowMatchingClassesLoadOnTheFlowPathAndOtherFlowConfigurationsAreRefused() {
        for (Map<String, Object> c : List.of(config("_class_name", "FlowMatchEulerDiscreteScheduler", "shift", 3.0),
                config("_class_name", "FlowMatchHeunDiscreteScheduler"))) {
            DiffusersScheduler d = read(c);
            assertEquals("rectified-flow", d.schedule().name());
            assertEquals(Parameterization.FLOW, d.predictionType());
        }
        for (Map<String, Object> c : List.of(config("_class_name", "FlowMatchLCMScheduler"),
                config("_class_name", "UniPCMultistepScheduler", "prediction_type", "flow_prediction", "use_flow_sigmas", true),
                config("_class_name", "DPMSolverMultistepScheduler", "use_flow_sigmas", true, "flow_shift", 3.0))) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> read(c));
            assertTrue(e.allowed().contains("flow-matching") && e.allowed().contains("FlowMatchEulerDiscreteScheduler"), e.getMessage());
        }
    }

    @Test
    void flowMatchingConfigurationsReportTheKeysTheirClassDoesNotRead() {
        // the key table holds the FlowMatch classes too: a DDPM key, a key of another diffusers version and a typo are
        // ignored and listed, as diffusers' FlowMatchEulerDiscreteScheduler ignores them
        DiffusersScheduler euler = read(config("_class_name", "FlowMatchEulerDiscreteScheduler", "_diffusers_version", "0.30.0",
                "shift", 3.0, "beta_schedule", "linear", "timestep_values", null, "shfit", 2.0, "use_dynamic_shifting", false));
        assertEquals(List.of("beta_schedule", "timestep_values", "shfit"), euler.ignoredKeys());
        assertEquals("FlowMatchEulerDiscreteScheduler", euler.className());
        // Heun's class reads only num_train_timesteps and shift: Euler's dynamic-shifting keys are ignored, not applied
        DiffusersScheduler heun = read(config("_class_name", "FlowMatchHeunDiscreteScheduler", "shift", 3.0, "use_dynamic_shifting", true,
                "base_shift", 0.5, "max_shift", 1.15, "invert_sigmas", true));
        assertEquals(List.of("use_dynamic_shifting", "base_shift", "max_shift", "invert_sigmas"), heun.ignoredKeys());
        DiffusersScheduler heunShifted = read(config("_class_name", "FlowMatchHeunDiscreteScheduler", "shift", 3.0));
        assertArrayEquals(((FlowMatchSampler) heunShifted.sampler()).sigmas(), ((FlowMatchSampler) heun.sampler()).sigmas(), 0.0);
        // a key the class reads is not ignored: a bad value of it is an error naming it
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> read(config("_class_name", "FlowMatchHeunDiscreteScheduler", "shift", "three")));
        assertEquals("scheduler_config.json.shift", e.parameter());
        for (String className : List.of("FlowMatchEulerDiscreteScheduler", "FlowMatchHeunDiscreteScheduler")) {
            InvalidParameterException zero = assertThrows(InvalidParameterException.class, () -> read(config("_class_name", className, "shift", 0.0)));
            assertEquals("scheduler_config.json.shift", zero.parameter(), className);
            assertEquals("must be a finite number > 0 (1 = no shift)", zero.allowed(), className);
        }
    }

    @Test
    void aKnownKeyWithABadValueIsAnErrorNamingIt() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> read(config("_class_name", "EulerDiscreteScheduler", "sigma_min", "small")));
        assertEquals("scheduler_config.json.sigma_min", e.parameter());
        assertEquals("must be a number", e.allowed());
        e = assertThrows(InvalidParameterException.class, () -> read(config("_class_name", "DDPMScheduler", "variance_type", "fixed_huge")));
        assertEquals("scheduler_config.json.variance_type", e.parameter());
        e = assertThrows(InvalidParameterException.class, () -> read(config("_class_name", "DDIMScheduler", "prediction_type", "noise")));
        assertTrue(e.getMessage().contains("prediction_type"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> read(config("_class_name", "EulerDiscreteScheduler",
                "use_karras_sigmas", true, "use_exponential_sigmas", true)));
        assertTrue(e.getMessage().contains("use_"), e.getMessage());
    }

    @Test
    void continuousTimestepsTakeEffectWithVPredictionOnly() {
        Map<String, Object> edm = config("_class_name", "EulerDiscreteScheduler", "timestep_type", "continuous", "use_karras_sigmas", true,
                "sigma_min", 0.05, "sigma_max", 12.0, "prediction_type", "v_prediction");
        DiffusersScheduler v = read(edm);
        assertTrue(v.continuousTimesteps());
        double t0 = v.sampler().timesteps()[0];
        assertEquals(0.25 * Math.log(12.0), v.networkTime(t0), 1e-12);
        // an SVD-style sigma_max beyond the schedule's sigmas has no schedule time to ask the denoiser at
        Map<String, Object> svd = new LinkedHashMap<>(edm);
        svd.put("sigma_max", 700.0);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> read(svd));
        assertEquals("scheduler_config.json.sigma_max", e.parameter());
        edm.put("prediction_type", "epsilon");
        DiffusersScheduler eps = read(edm);
        assertTrue(!eps.continuousTimesteps());
        assertEquals(t0, eps.networkTime(t0), 0.0);
    }

    @Test
    void ourOwnPipelineJsonStaysStrict() {
        PipelineConfig typo = PipelineConfig.parse("{\"schedule\": \"linear\", \"sampler\": {\"type\": \"ddim\", \"clip_sampel\": false}}");
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pipelines.build(typo, Mixtures.REGISTRY));
        assertTrue(e.getMessage().contains("clip_sampel") && e.allowed().contains("unknown parameter"), e.getMessage());
    }

    /**
     * Every key that diffusers' class reads, at diffusers' default, loads and changes nothing: the
     * samplers implement each key of the classes they stand in for, with diffusers' defaults.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyKeyOfAMappedClassLoadsAtItsDiffusersDefault() throws java.io.IOException {
        Map<String, Object> table;
        try (var in = DiffusersScheduler.class.getResourceAsStream("diffusers-scheduler-keys.json")) {
            table = (Map<String, Object>) org.ddpm4j.toolkit.io.Json.parseObject(new String(in.readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8), "table").get("classes");
        }
        List<String> mapped = List.of("DDPMScheduler", "DDIMScheduler", "PNDMScheduler", "EulerDiscreteScheduler",
                "EulerAncestralDiscreteScheduler", "HeunDiscreteScheduler", "LMSDiscreteScheduler", "DPMSolverMultistepScheduler",
                "DPMSolverSinglestepScheduler", "UniPCMultistepScheduler", "FlowMatchEulerDiscreteScheduler", "FlowMatchHeunDiscreteScheduler");
        for (String className : mapped) {
            Map<String, Object> full = new LinkedHashMap<>((Map<String, Object>) table.get(className));
            full.put("_class_name", className);
            DiffusersScheduler withAll = read(full);
            DiffusersScheduler bare = read(config("_class_name", className));
            assertTrue(withAll.ignoredKeys().isEmpty(), className);
            assertEquals(bare.sampler().name(), withAll.sampler().name(), className);
            assertArrayEquals(bare.sampler().timesteps(), withAll.sampler().timesteps(), 0.0, className);
            if (bare.sampler() instanceof FlowMatchSampler flow) {
                assertEquals("rectified-flow", withAll.schedule().name(), className);
                assertArrayEquals(flow.sigmas(), ((FlowMatchSampler) withAll.sampler()).sigmas(), 0.0, className);
            } else {
                assertArrayEquals(((DiscreteSchedule) bare.schedule()).betas(), ((DiscreteSchedule) withAll.schedule()).betas(), 0.0, className);
            }
        }
    }
}
