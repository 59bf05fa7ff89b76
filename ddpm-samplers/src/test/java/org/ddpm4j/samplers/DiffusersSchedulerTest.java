package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.core.config.DiffusersScheduler;
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
}
