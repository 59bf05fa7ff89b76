package org.ddpm4j.schedules;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.ScheduleContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every schedule of this module passes the testkit contract, with and without zero terminal SNR. */
class ScheduleContractsTest {

    /** A schedule added to SchedulesPlugin fails here until a nested class below runs the contract on it. */
    @Test
    void everyScheduleOfThePluginRunsTheContract() throws ReflectiveOperationException {
        Set<String> tested = new TreeSet<>();
        for (Class<?> nested : ScheduleContractsTest.class.getDeclaredClasses()) {
            if (Base.class.isAssignableFrom(nested) && !Modifier.isAbstract(nested.getModifiers())) {
                tested.add(((Base) nested.getDeclaredConstructor(ScheduleContractsTest.class).newInstance(this)).name());
            }
        }
        Set<String> all = new TreeSet<>();
        new SchedulesPlugin().schedules().forEach(f -> all.add(f.name()));
        assertTrue(tested.containsAll(all), "schedules without a contract class: " + all.stream().filter(n -> !tested.contains(n)).toList());
    }

    abstract static class Base extends ScheduleContract {
        abstract String name();

        Parameters parameters() {
            return Parameters.empty();
        }

        @Override
        protected Schedule schedule() {
            return factory().create(parameters());
        }

        @Override
        protected ScheduleFactory factory() {
            return new SchedulesPlugin().schedules().stream().filter(f -> f.name().equals(name())).findFirst().orElseThrow();
        }

        @Override
        protected TensorBackend backend() {
            return new JavaBackend();
        }
    }

    @Nested
    class RectifiedFlow extends Base {
        String name() {
            return "rectified-flow";
        }
    }

    @Nested
    class Linear extends Base {
        String name() {
            return "linear";
        }
    }

    @Nested
    class LinearZeroTerminalSnr extends Base {
        String name() {
            return "linear";
        }

        Parameters parameters() {
            return Parameters.of("rescale_betas_zero_snr", true);
        }
    }

    @Nested
    class ScaledLinear extends Base {
        String name() {
            return "scaled-linear";
        }

        Parameters parameters() {
            return Parameters.of("beta_start", 0.00085, "beta_end", 0.012);
        }
    }

    @Nested
    class ScaledLinearZeroTerminalSnr extends Base {
        String name() {
            return "scaled-linear";
        }

        Parameters parameters() {
            return Parameters.of("beta_start", 0.00085, "beta_end", 0.012, "rescale_betas_zero_snr", true);
        }
    }

    @Nested
    class Quadratic extends Base {
        String name() {
            return "quadratic";
        }
    }

    @Nested
    class Cosine extends Base {
        String name() {
            return "cosine";
        }
    }

    @Nested
    class CosineZeroTerminalSnr extends Base {
        String name() {
            return "cosine";
        }

        Parameters parameters() {
            return Parameters.of("rescale_betas_zero_snr", true, "num_train_timesteps", 500);
        }
    }

    @Nested
    class Sigmoid extends Base {
        String name() {
            return "sigmoid";
        }
    }

    @Nested
    class ExplicitBetas extends Base {
        String name() {
            return "betas";
        }

        Parameters parameters() {
            return Parameters.of("trained_betas", java.util.List.of(0.01, 0.02, 0.05, 0.1, 0.2, 0.4));
        }
    }

    @Nested
    class ContinuousVp extends Base {
        String name() {
            return "vp";
        }
    }
}
