package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.plugin.GuidanceFactory;
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
 * The contract of a {@link Guidance}, applied to every guidance of every {@link Plugin} that
 * {@link ServiceLoader} finds (override {@link #guidances()} to narrow it). Extend it and supply a
 * class-conditional denoiser, an unconditional one and a noisy classifier of the same classes, on
 * {@link #schedule()}. Each guidance is built with its default parameters and checked: the guided
 * prediction keeps the shape, is finite and repeatable; batch entries are guided as if alone (each
 * with its own class and time); and a guidance with nothing to guide toward (an unconditional model,
 * no classifier) fails when it wraps the model, before any sampling.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GuidanceContract {

    protected abstract TensorBackend backend();

    /** A class-conditional denoiser on {@link #schedule()} with a declared sample shape. */
    protected abstract Denoiser conditionalModel();

    /** An unconditional denoiser of the same data. */
    protected abstract Denoiser unconditionalModel();

    /** A noisy classifier of the conditional model's classes. */
    protected abstract Classifier classifier();

    /** The schedule of the models (a linear one of 1000 steps unless overridden). */
    protected Schedule schedule() {
        return TestSchedules.linear(1000);
    }

    /** The guidances under test: by default every guidance of every plugin on the class path. */
    protected List<GuidanceFactory> guidances() {
        List<GuidanceFactory> all = new ArrayList<>();
        for (Plugin plugin : ServiceLoader.load(Plugin.class)) {
            all.addAll(plugin.guidances());
        }
        assertTrue(!all.isEmpty(), "no guidance plugin on the class path");
        return all;
    }

    Stream<Named<GuidanceFactory>> factories() {
        List<GuidanceFactory> all = guidances();
        return all.stream().map(f -> Named.of(f.name(), f));
    }

    private Denoiser guided(GuidanceFactory factory) {
        Parameters p = Parameters.empty();
        Guidance g = factory.create(p);
        p.requireAllUsed();
        return g.guide(conditionalModel(), GuidanceContext.of(schedule()).withClassifier(classifier()));
    }

    private Tensor input(int n, long seed) {
        int[] sample = conditionalModel().sampleShape().orElse(new int[] {2});
        int[] shape = new int[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return backend().randn(new GaussianNoise(seed), shape);
    }

    private double[] times(int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = Math.rint(schedule().tMin() + (schedule().tMax() - schedule().tMin()) * (0.1 + 0.8 * i / Math.max(1, n - 1)));
        }
        return t;
    }

    private Condition labels(int n) {
        int k = Math.max(1, conditionalModel().numClasses());
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % k;
        }
        return Condition.classes(y);
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void guidedPredictionsKeepTheShapeAreFiniteAndRepeatable(GuidanceFactory factory) {
        Denoiser d = guided(factory);
        Tensor x = input(4, 1);
        Tensor out = d.predict(x, times(4), labels(4));
        assertArrayEquals(x.shape(), out.shape(), factory.name());
        assertTrue(out.isFinite(), factory.name());
        assertArrayEquals(out.toDoubleArray(), d.predict(x, times(4), labels(4)).toDoubleArray(), 0.0, factory.name());
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void batchEntriesAreGuidedAsIfAlone(GuidanceFactory factory) {
        Denoiser d = guided(factory);
        int n = 4;
        Tensor x = input(n, 2);
        double[] t = times(n);
        Condition y = labels(n);
        double[] batch = d.predict(x, t, y).toDoubleArray();
        int size = x.sampleSize();
        for (int i = 0; i < n; i++) {
            double[] alone = d.predict(x.slice(i, i + 1), t[i], Condition.classes(y.labels()[i])).toDoubleArray();
            assertArrayEquals(alone, Arrays.copyOfRange(batch, i * size, (i + 1) * size), 1e-9, factory.name() + ": entry " + i);
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void nothingToGuideTowardFailsWhenTheModelIsWrapped(GuidanceFactory factory) {
        Guidance g = factory.create(Parameters.empty());
        assertThrows(RuntimeException.class, () -> g.guide(unconditionalModel(), GuidanceContext.of(schedule())),
                factory.name() + " of an unconditional model without a classifier");
    }
}
