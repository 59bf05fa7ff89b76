package org.ddpm4j.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.core.config.DiffusersSchedulerConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.api.Test;

/** Bad parameters fail when the schedule is built, naming the parameter, the value and the allowed range. */
class ScheduleValidationTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();

    private static InvalidParameterException fails(String json) {
        return assertThrows(InvalidParameterException.class, () -> Pipelines.build(PipelineConfig.parse(json)));
    }

    private static void assertMentions(InvalidParameterException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Test
    void betaOutsideZeroOne() {
        assertMentions(fails("{\"schedule\": {\"type\": \"linear\", \"beta_end\": 1.5}}"), "schedule.beta_end", "1.5", "(0.0, 1.0)");
        assertMentions(fails("{\"schedule\": {\"type\": \"linear\", \"beta_start\": 0}}"), "schedule.beta_start", "0", "(0.0, 1.0)");
        assertMentions(fails("{\"schedule\": {\"type\": \"betas\", \"trained_betas\": [0.1, 1.0]}}"), "beta[1]", "(0, 1)");
    }

    @Test
    void betaStartAboveBetaEnd() {
        assertMentions(fails("{\"schedule\": {\"type\": \"scaled-linear\", \"beta_start\": 0.02, \"beta_end\": 0.001}}"),
                "schedule.beta_start", "0.02", "must not exceed schedule.beta_end = 0.001");
    }

    @Test
    void fewerThanOneStep() {
        assertMentions(fails("{\"schedule\": {\"type\": \"cosine\", \"num_train_timesteps\": 0}}"),
                "schedule.num_train_timesteps", "0", ">= 1");
        assertMentions(fails("{\"schedule\": {\"type\": \"linear\", \"num_train_timesteps\": 10.5}}"),
                "schedule.num_train_timesteps", "integer");
    }

    @Test
    void notANumber() {
        assertMentions(fails("{\"schedule\": {\"type\": \"sigmoid\", \"beta_end\": NaN}}"), "schedule.beta_end", "NaN");
        assertMentions(fails("{\"schedule\": {\"type\": \"vp\", \"beta_max\": \"lots\"}}"), "schedule.beta_max", "must be a number");
        assertMentions(fails("{\"schedule\": {\"type\": \"vp\", \"beta_min\": 30}}"), "schedule.beta_min", "must not exceed");
    }

    @Test
    void unknownDiffusersBetaSchedule() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> DiffusersSchedulerConfig.readSchedule(
                Parameters.of(Map.of("beta_schedule", "exponential")).scoped("scheduler_config"), REGISTRY));
        assertMentions(e, "scheduler_config.beta_schedule", "exponential", "linear, scaled_linear, sigmoid, squaredcos_cap_v2");
    }

    @Test
    void malformedJson() {
        assertThrows(InvalidParameterException.class, () -> PipelineConfig.parse("{\"schedule\": {\"type\": \"linear\""));
    }

    @Test
    void explicitBetasMustMatchTheStepCount() {
        assertMentions(fails("{\"schedule\": {\"type\": \"betas\", \"trained_betas\": [0.1, 0.2], \"num_train_timesteps\": 3}}"),
                "schedule.num_train_timesteps", "trained_betas (2)");
        assertMentions(fails("{\"schedule\": {\"type\": \"betas\"}}"), "schedule.trained_betas", "is required");
    }

    @Test
    void zeroTerminalSnrEndsWithoutSignalAndKeepsTheFirstStep() {
        DiscreteSchedule plain = LinearSchedule.create(Parameters.empty());
        DiscreteSchedule rescaled = LinearSchedule.create(Parameters.of("rescale_betas_zero_snr", true));
        assertEquals(0.0, rescaled.alphaBar(999));
        assertTrue(rescaled.zeroTerminalSnr() && !plain.zeroTerminalSnr());
        assertEquals(plain.alphaBar(0), rescaled.alphaBar(0), 1e-15);
        assertEquals(Double.NEGATIVE_INFINITY, rescaled.logSnr(999.0));
    }

    @Test
    void cosineMatchesNicholAndDhariwalsClosedForm() {
        DiscreteSchedule cosine = CosineSchedule.create(Parameters.empty());
        for (int t : new int[] {0, 100, 500, 900}) {
            double f = Math.pow(Math.cos(((t + 1) / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2);
            double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
            assertEquals(f / f0, cosine.alphaBar(t), 1e-12, "alphaBar_" + t + " = f(t+1)/f(0) where no beta is clipped");
        }
        assertEquals(0.999, cosine.beta(999), 0.0, "the last beta is clipped");
    }

    @Test
    void continuousVpIsTheLimitOfTheLinearSchedule() {
        // alphaBar of the discrete linear schedule at step t approaches alphaBar_vp((t+1)/T) for large T.
        int steps = 20000;
        DiscreteSchedule linear = LinearSchedule.create(Parameters.of("num_train_timesteps", steps,
                "beta_start", 0.1 / steps, "beta_end", 20.0 / steps));
        VpSchedule vp = new VpSchedule(Parameters.empty());
        for (double f : List.of(0.1, 0.5, 0.9)) {
            int t = (int) (f * steps) - 1;
            assertEquals(vp.alphaBar((t + 1.0) / steps), linear.alphaBar(t), 2e-3 * vp.alphaBar((t + 1.0) / steps) + 1e-6);
        }
    }
}
