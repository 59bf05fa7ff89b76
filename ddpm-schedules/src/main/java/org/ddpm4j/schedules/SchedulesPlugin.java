package org.ddpm4j.schedules;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.schedule.Schedule;

/** The schedules of this module, registered by name. */
public final class SchedulesPlugin implements Plugin {

    @Override
    public List<ScheduleFactory> schedules() {
        return List.of(
                factory(LinearSchedule.NAME, "linear", LinearSchedule::create,
                        "betas linear from 1e-4 to 0.02 (Ho et al. 2020)",
                        Map.of(), Map.of("rescale_betas_zero_snr", true)),
                factory(ScaledLinearSchedule.NAME, "scaled_linear", ScaledLinearSchedule::create,
                        "sqrt(beta) linear, Ho et al.'s 'quad' (diffusers scaled_linear)",
                        Map.of("beta_start", 0.00085, "beta_end", 0.012),
                        Map.of("beta_start", 0.00085, "beta_end", 0.012, "rescale_betas_zero_snr", true)),
                factory(QuadraticSchedule.NAME, null, QuadraticSchedule::create,
                        "beta_start + (beta_end - beta_start) (t/(T-1))^2", Map.of()),
                factory(CosineSchedule.NAME, "squaredcos_cap_v2", CosineSchedule::create,
                        "alphaBar = cos^2 shape, s = 0.008, beta <= 0.999 (Nichol & Dhariwal 2021)",
                        Map.of(), Map.of("rescale_betas_zero_snr", true, "num_train_timesteps", 500)),
                factory(SigmoidSchedule.NAME, "sigmoid", SigmoidSchedule::create,
                        "betas along a sigmoid over [-6, 6] (GeoDiff; diffusers sigmoid)", Map.of()),
                factory(ExplicitBetasSchedule.NAME, null, ExplicitBetasSchedule::create,
                        "user-given betas (diffusers trained_betas)",
                        Map.of("trained_betas", List.of(0.01, 0.02, 0.05, 0.1, 0.2, 0.4))),
                factory(VpSchedule.NAME, null, VpSchedule::new,
                        "continuous-time VP SDE, beta(t) linear 0.1..20 on [0, 1] (Song et al. 2021)", Map.of()),
                factory(RectifiedFlowSchedule.NAME, null, RectifiedFlowSchedule::new,
                        "the flow-matching path (1 - s) x0 + s eps at model time s * num_train_timesteps (rectified flow, SD3)", Map.of()));
    }

    /** A factory whose {@code examples} (the contract runs each) include zero terminal SNR where the schedule offers it. */
    @SafeVarargs
    private static ScheduleFactory factory(String name, String diffusersName, Function<Parameters, Schedule> create,
                                           String description, Map<String, Object>... examples) {
        return ScheduleFactory.of(name, description, create, diffusersName, List.of(examples));
    }
}
