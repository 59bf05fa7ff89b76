package org.ddpm4j.testkit;

import java.util.List;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.plugin.GuidanceFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.junit.jupiter.api.Nested;

/**
 * Every contract of the testkit, applied to every factory of one plugin: a plugin author extends this
 * one class and names the plugin and a backend.
 *
 * <pre>{@code
 * class MyPluginContractsTest extends PluginContracts {
 *     protected Plugin plugin() { return new MyPlugin(); }
 *     protected TensorBackend backend() { return new JavaBackend(); }
 * }
 * }</pre>
 *
 * <p>Its samplers run {@link SamplerContract} (an ODE solver that declares its order through
 * {@link org.ddpm4j.api.sampling.Sampler#order()} has it measured on each example of its factory),
 * its schedules {@link ScheduleContract} and its denoisers {@link DenoiserContract}, each on every
 * example configuration its factory declares ({@link org.ddpm4j.api.plugin.Factory#examples()}). Its
 * guidances run {@link GuidanceContract} on the models a plugin with guidances supplies by overriding
 * {@link #conditionalModel()}, {@link #unconditionalModel()} and {@link #classifier()}. A kind the plugin
 * does not contribute runs no test.
 */
public abstract class PluginContracts {

    /** The plugin under test. */
    protected abstract Plugin plugin();

    /** The backend of every contract's tensors. */
    protected abstract TensorBackend backend();

    /** The schedule of the guidance contract's models. */
    protected Schedule guidanceSchedule() {
        return TestSchedules.linear(1000);
    }

    /** A class-conditional denoiser on {@link #guidanceSchedule()}: required when the plugin has guidances. */
    protected Denoiser conditionalModel() {
        throw new UnsupportedOperationException("a plugin with guidances overrides conditionalModel() for GuidanceContract");
    }

    /** An unconditional denoiser on {@link #guidanceSchedule()}: required when the plugin has guidances. */
    protected Denoiser unconditionalModel() {
        throw new UnsupportedOperationException("a plugin with guidances overrides unconditionalModel() for GuidanceContract");
    }

    /** A noisy classifier of the conditional model's classes: required when the plugin has guidances. */
    protected Classifier classifier() {
        throw new UnsupportedOperationException("a plugin with guidances overrides classifier() for GuidanceContract");
    }

    /** The plugin's samplers pass {@link SamplerContract}. */
    @Nested
    public class Samplers extends SamplerContract {
        @Override
        protected TensorBackend backend() {
            return PluginContracts.this.backend();
        }

        @Override
        protected List<SamplerFactory> samplers() {
            return plugin().samplers();
        }
    }

    /** The plugin's schedules pass {@link ScheduleContract}. */
    @Nested
    public class Schedules extends ScheduleContract {
        @Override
        protected TensorBackend backend() {
            return PluginContracts.this.backend();
        }

        @Override
        protected List<ScheduleFactory> schedules() {
            return plugin().schedules();
        }
    }

    /** The plugin's denoisers pass {@link DenoiserContract}. */
    @Nested
    public class Denoisers extends DenoiserContract {
        @Override
        protected TensorBackend backend() {
            return PluginContracts.this.backend();
        }

        @Override
        protected List<DenoiserFactory> factories() {
            return plugin().denoisers();
        }
    }

    /** The plugin's guidances pass {@link GuidanceContract}. */
    @Nested
    public class Guidances extends GuidanceContract {
        @Override
        protected TensorBackend backend() {
            return PluginContracts.this.backend();
        }

        @Override
        protected Schedule schedule() {
            return guidanceSchedule();
        }

        @Override
        protected List<GuidanceFactory> guidances() {
            return plugin().guidances();
        }

        @Override
        protected Denoiser conditionalModel() {
            return PluginContracts.this.conditionalModel();
        }

        @Override
        protected Denoiser unconditionalModel() {
            return PluginContracts.this.unconditionalModel();
        }

        @Override
        protected Classifier classifier() {
            return PluginContracts.this.classifier();
        }
    }
}
