package org.ddpm4j.core.config;

import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;

/**
 * diffusers' flow-matching schedulers ({@code FlowMatchEulerDiscreteScheduler},
 * {@code FlowMatchHeunDiscreteScheduler}, ..., and the multistep solvers configured with
 * {@code use_flow_sigmas} or {@code prediction_type: flow_prediction}) describe rectified-flow models
 * ({@code x_t = (1 - t) x_0 + t eps}, the network predicting the velocity), not the
 * variance-preserving diffusion that ddpm4j's samplers integrate. This is the one place that refuses
 * them; when flow-matching sampling lands, it is the place to route them instead.
 */
final class FlowMatchingConfigs {

    private FlowMatchingConfigs() {
    }

    /** Fails with a clear message when {@code config} (of class {@code className}) describes a flow model. */
    static void refuse(String className, Map<String, Object> config, String source) {
        String name = className.startsWith("Flax") ? className.substring("Flax".length()) : className;
        if (name.startsWith("FlowMatch") || name.startsWith("FlowMap") || name.endsWith("RFScheduler")) {
            throw new InvalidParameterException(source + "._class_name", className, flowModel());
        }
        if ("flow_prediction".equals(config.get("prediction_type"))) {
            throw new InvalidParameterException(source + ".prediction_type", "flow_prediction", flowModel());
        }
        if (Boolean.TRUE.equals(config.get("use_flow_sigmas"))) {
            throw new InvalidParameterException(source + ".use_flow_sigmas", true, flowModel());
        }
    }

    private static String flowModel() {
        return "describes a flow-matching (rectified flow) model, which a diffusion (variance-preserving) pipeline does not "
                + "support yet; supported: the diffusion schedulers (DDPM, DDIM, PNDM, Euler, Euler ancestral, Heun, LMS, "
                + "DPM-Solver, UniPC)";
    }
}
