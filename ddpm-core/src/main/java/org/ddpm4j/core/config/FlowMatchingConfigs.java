package org.ddpm4j.core.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * diffusers' flow-matching schedulers describe rectified-flow models ({@code x_t = (1 - t) x_0 + t eps},
 * the network predicting the velocity {@code eps - x_0}). The FlowMatch classes that a sampler plugin
 * stands in for ({@code FlowMatchEulerDiscreteScheduler}, {@code FlowMatchHeunDiscreteScheduler}) are
 * routed to the rectified-flow schedule; the others ({@code FlowMap*}, {@code *RFScheduler}, and the
 * multistep solvers configured with {@code use_flow_sigmas} or {@code prediction_type: flow_prediction})
 * are refused by name. This is the one place that decides.
 */
final class FlowMatchingConfigs {
    /** The schedule plugin of the FlowMatch classes' path. */
    static final String FLOW_SCHEDULE = "rectified-flow";

    private FlowMatchingConfigs() {
    }

    /**
     * True when {@code className} is a flow-matching class that a sampler plugin implements; fails
     * with a clear message when {@code config} describes another flow model; false for diffusion.
     */
    static boolean isFlowModel(String className, Map<String, Object> config, String source, PluginRegistry registry) {
        if (className.startsWith("FlowMatch") && registry.samplerForDiffusers(className).isPresent()) {
            return true;
        }
        if (className.startsWith("FlowMatch") || className.startsWith("FlowMap") || className.endsWith("RFScheduler")) {
            throw new InvalidParameterException(source + "._class_name", className, unsupported());
        }
        if ("flow_prediction".equals(config.get("prediction_type"))) {
            throw new InvalidParameterException(source + ".prediction_type", "flow_prediction", unsupported());
        }
        if (Boolean.TRUE.equals(config.get("use_flow_sigmas"))) {
            throw new InvalidParameterException(source + ".use_flow_sigmas", true, unsupported());
        }
        return false;
    }

    /** The rectified-flow schedule with the configuration's {@code num_train_timesteps}. */
    static Schedule readSchedule(Parameters config, PluginRegistry registry) {
        Map<String, Object> keys = new LinkedHashMap<>();
        config.markUsed("num_train_timesteps");
        if (config.has("num_train_timesteps")) {
            keys.put("num_train_timesteps", config.asMap().get("num_train_timesteps"));
        }
        return registry.createSchedule(FLOW_SCHEDULE, Parameters.of(keys).scoped(config.scope()));
    }

    private static String unsupported() {
        return "describes a flow-matching (rectified flow) model of a kind ddpm4j does not sample; supported flow-matching classes: "
                + String.join(", ", Set.of("FlowMatchEulerDiscreteScheduler", "FlowMatchHeunDiscreteScheduler").stream().sorted().toList())
                + " (and every diffusion scheduler: DDPM, DDIM, PNDM, Euler, Euler ancestral, Heun, LMS, DPM-Solver, UniPC)";
    }
}
