package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of a {@link Denoiser}: what every sampler and guidance method assumes of one. By default
 * applied to every example configuration ({@link DenoiserFactory#examples()}) of every denoiser of every
 * {@link Plugin} that {@link ServiceLoader} finds (override {@link #factories()} to narrow it, or
 * {@link #denoisers} to supply denoisers that no factory builds), all on {@link #schedule()}. Extend it
 * and supply a backend:
 *
 * <pre>{@code
 * class MyDenoisersTest extends DenoiserContract {
 *     protected TensorBackend backend() { return new JavaBackend(); }
 * }
 * }</pre>
 *
 * <p>A factory whose every configuration needs a file only the user has (a TorchScript or SavedModel
 * path) declares no examples and is not run here.
 *
 * <p>Checked at times across the schedule: the prediction keeps the input's shape and is finite;
 * the same input gives the same output; batch entries are independent (a batch predicts what its
 * entries predict alone, each at its own time); a conversion to another parameterization and back
 * is the identity; a condition whose batch does not match the input is rejected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DenoiserContract {

    /** The backend of the inputs. */
    protected abstract TensorBackend backend();

    /** The denoiser factories under test: by default every denoiser of every plugin on the class path. */
    protected List<DenoiserFactory> factories() {
        List<DenoiserFactory> all = new ArrayList<>();
        for (Plugin plugin : ServiceLoader.load(Plugin.class)) {
            all.addAll(plugin.denoisers());
        }
        return all;
    }

    /** The denoisers under test, named for the report, on {@code schedule} and {@code backend}: every example of every factory. */
    protected List<Named<Denoiser>> denoisers(TensorBackend backend, Schedule schedule) {
        List<Named<Denoiser>> all = new ArrayList<>();
        for (DenoiserFactory factory : factories()) {
            for (Map<String, Object> example : factory.examples()) {
                all.add(Named.of(factory.name() + " " + example, factory.create(backend, schedule, Parameters.of(example))));
            }
        }
        return all;
    }

    /** The schedule the denoisers are built for (a linear one of 1000 steps unless overridden). */
    protected Schedule schedule() {
        return TestSchedules.linear(1000);
    }

    /** The tolerance of batch independence and of the round trip through another parameterization. */
    protected double tolerance() {
        return 1e-9;
    }

    Stream<Named<Denoiser>> all() {
        return denoisers(backend(), schedule()).stream();
    }

    private double[] times(int n) {
        Schedule s = schedule();
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            // inside the schedule, away from both ends, and different for every entry
            t[i] = s.tMin() + (s.tMax() - s.tMin()) * (0.05 + 0.9 * i / Math.max(1, n - 1));
            if (s.tMax() > 1) {
                t[i] = Math.rint(t[i]);
            }
        }
        return t;
    }

    private Tensor input(Denoiser d, int n, long seed) {
        int[] sample = d.sampleShape().orElse(new int[] {2});
        int[] shape = new int[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return backend().randn(new GaussianNoise(seed), shape);
    }

    private static Condition condition(Denoiser d, int n) {
        return d.numClasses() > 0 ? Condition.repeat(Condition.NULL_CLASS, n) : Condition.none();
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("all")
    public void predictionsKeepTheShapeAreFiniteAndRepeatable(Denoiser d) {
        Tensor x = input(d, 5, 1);
        double[] t = times(5);
        Tensor out = d.predict(x, t, condition(d, 5));
        assertArrayEquals(x.shape(), out.shape(), d + ": output shape");
        assertTrue(out.isFinite(), d + ": a finite input gives a finite prediction");
        assertArrayEquals(out.toDoubleArray(), d.predict(x, t, condition(d, 5)).toDoubleArray(), 0.0, d + ": same input, same output");
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("all")
    public void batchEntriesArePredictedAsIfAlone(Denoiser d) {
        int n = 4;
        Tensor x = input(d, n, 2);
        double[] t = times(n);
        double[] batch = d.predict(x, t, condition(d, n)).toDoubleArray();
        int size = x.sampleSize();
        for (int i = 0; i < n; i++) {
            double[] alone = d.predict(x.slice(i, i + 1), t[i], condition(d, 1)).toDoubleArray();
            assertArrayEquals(alone, Arrays.copyOfRange(batch, i * size, (i + 1) * size), tolerance(), d + ": entry " + i + " at t = " + t[i]);
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("all")
    public void conversionsToAnotherParameterizationAndBackAreTheIdentity(Denoiser d) {
        Tensor x = input(d, 3, 3);
        double[] t = times(3);
        double[] direct = d.predict(x, t, condition(d, 3)).toDoubleArray();
        for (Parameterization other : Parameterization.values()) {
            Denoiser roundTrip = d.as(other, schedule()).as(d.parameterization(), schedule());
            double[] back = roundTrip.predict(x, t, condition(d, 3)).toDoubleArray();
            for (int i = 0; i < direct.length; i++) {
                assertTrue(Math.abs(back[i] - direct[i]) <= tolerance() * Math.max(1, Math.abs(direct[i])) * 1e3,
                        d + " via " + other + ": " + back[i] + " != " + direct[i]);
            }
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("all")
    public void aConditionOfAnotherBatchSizeIsRejected(Denoiser d) {
        assumeTrue(d.numClasses() > 0, "an unconditional denoiser may ignore conditions");
        Tensor x = input(d, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> d.predict(x, times(3), Condition.repeat(0, 2)),
                d + ": a condition of 2 labels for a batch of 3");
    }
}
