package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.NonFiniteOutputException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.SampleNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of a {@link Sampler}, applied to every sampler of every {@link Plugin} that
 * {@link ServiceLoader} finds on the test class path (override {@link #samplers()} to narrow it), so a
 * sampler added to a plugin is tested without editing a test. Extend it and supply a backend:
 *
 * <pre>{@code
 * class MySamplersTest extends SamplerContract {
 *     protected TensorBackend backend() { return new JavaBackend(); }
 * }
 * }</pre>
 *
 * <p>Each sampler is built with {@code steps = 20} (samplers that choose their steps adaptively,
 * and so do not read {@code steps}, with no parameters) on the first schedule kind it accepts: a
 * discrete linear schedule of 1000 steps, else the continuous VP SDE, else the rectified-flow path
 * ({@link TestSchedules}). Data are independent {@code N(0, 0.2^2)} coordinates (inside DDIM's
 * default clipping range), whose exact denoiser and probability flow are known; the model is the one
 * a training on the sampler's schedule gives ({@link GaussianDataDenoiser#trainedOn}: noise
 * prediction on a diffusion schedule, the velocity on a flow path).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SamplerContract {
    /** The number of steps of the contract's runs. */
    protected static final int STEPS = 20;
    /** The number of steps of the runs checked against the exact flow (first-order methods need many on this data). */
    protected static final int FLOW_STEPS = 400;
    /** The number of steps of the stochastic runs checked against the data distribution. */
    protected static final int DISTRIBUTION_STEPS = 200;
    private static final double DATA_STD = 0.2;
    private static final int BATCH = 8;
    /** The schedule kinds a sampler is offered, in order: discrete, continuous, a flow path. */
    private static final List<Schedule> SCHEDULES = List.of(TestSchedules.linear(1000), TestSchedules.vp(), TestSchedules.rectifiedFlow());

    /** The backend the runs use; it must fail on any use of a released tensor (see {@link TrackingBackend}). */
    protected abstract TensorBackend backend();

    /** The samplers under test: by default every sampler of every plugin on the class path. */
    protected List<SamplerFactory> samplers() {
        List<SamplerFactory> all = new ArrayList<>();
        for (Plugin plugin : ServiceLoader.load(Plugin.class)) {
            all.addAll(plugin.samplers());
        }
        assertTrue(!all.isEmpty(), "no sampler plugin on the class path");
        return all;
    }

    /**
     * The largest error, relative to the data's standard deviation, that a deterministic sampler of
     * {@link #FLOW_STEPS} steps may make against the exact probability flow on Gaussian data. With the
     * default 0.1, a first-order method (DDIM, Euler) passes with a margin of about 1.5 and a
     * higher-order one with a margin of 10 or more; a wrong coefficient or time fails.
     */
    protected double flowTolerance(SamplerFactory factory) {
        return 0.1;
    }

    /**
     * The schedule on which orders of convergence are measured (a discrete linear schedule unless
     * overridden; a factory that rejects it runs on the VP SDE).
     */
    protected Schedule orderSchedule() {
        return TestSchedules.linear(1000);
    }

    /** The denoiser on which orders of convergence are measured: Gaussian data unless overridden. */
    protected Denoiser orderModel(Schedule schedule) {
        return GaussianDataDenoiser.trainedOn(schedule, DATA_STD);
    }

    /** The start of the runs that measure orders: 64 standard normal draws of {@link #orderModel}'s shape. */
    protected Tensor orderNoise() {
        return noise(backend(), 64, 7);
    }

    /**
     * The exact end point of the probability flow of {@code model} from {@code start} at time {@code from}
     * to time {@code to}; the closed form of Gaussian data unless overridden (with {@link #orderModel}).
     */
    protected Tensor exactFlow(Denoiser model, Tensor start, double from, double to) {
        return start.mul(((GaussianDataDenoiser) model).flow(from, to));
    }

    Stream<Named<SamplerFactory>> factories() {
        List<SamplerFactory> factories = samplers();
        return factories.stream().map(f -> Named.of(f.name(), f));
    }

    /** The sampler with about {@code steps} steps on the first schedule kind it accepts. */
    protected Sampler create(SamplerFactory factory, int steps) {
        InvalidParameterException rejected = null;
        for (Schedule schedule : SCHEDULES) {
            try {
                return create(factory, schedule, steps);
            } catch (InvalidParameterException e) {
                if (!e.parameter().equals("schedule")) {
                    throw e;
                }
                rejected = e;
            }
        }
        throw rejected;
    }

    private static Sampler create(SamplerFactory factory, Schedule schedule, int steps) {
        Parameters p = Parameters.of("steps", steps);
        Sampler sampler = factory.create(schedule, p);
        if (p.unusedKeys().contains("steps")) {
            p = Parameters.empty();
            sampler = factory.create(schedule, p);
        }
        p.requireAllUsed();
        return sampler;
    }

    private static boolean readsSteps(SamplerFactory factory, Schedule schedule) {
        Parameters p = Parameters.of("steps", STEPS);
        factory.create(schedule, p);
        return !p.unusedKeys().contains("steps");
    }

    private Tensor noise(TensorBackend backend, int batch, long seed) {
        return backend.fromHost(new GaussianNoise(seed).nextDoubles(batch), batch, 1);
    }

    private static Denoiser denoiser(Sampler sampler) {
        return GaussianDataDenoiser.trainedOn(sampler.schedule(), DATA_STD);
    }

    private double[] sample(Sampler sampler, Tensor noise, long seed) {
        return sample(sampler, noise, SampleOptions.defaults().withSeed(seed));
    }

    private double[] sample(Sampler sampler, Tensor noise, SampleOptions options) {
        try (Tensor x = sampler.sample(denoiser(sampler), noise, options)) {
            return x.toDoubleArray();
        }
    }

    private boolean deterministic(Sampler sampler) {
        try (Tensor noise = noise(backend(), BATCH, 1)) {
            return Arrays.equals(sample(sampler, noise, 5), sample(sampler, noise, 6));
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void theSameSeedGivesTheSameBits(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        try (Tensor noise = noise(backend(), BATCH, 1)) {
            assertArrayEquals(sample(sampler, noise, 5), sample(sampler, noise, 5), 0.0, factory.name());
        }
    }

    /**
     * Sample {@code i} depends on {@code (seed, i)} only, not on the batch it is computed in: a batch
     * of 16 and four batches of 4 (run last first), each given its first row's global index, give
     * the same bits, for stochastic samplers too (their noise is keyed per sample). A sampler that
     * declares {@link Sampler#couplesBatch()} is only checked to differ, so that the declaration stays honest.
     */
    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void aSampleIsTheSameInAnyBatch(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        int n = 16;
        int part = 4;
        double[] whole;
        try (Tensor noise = SampleNoise.initial(backend(), 3, 0, n, 1)) {
            whole = sample(sampler, noise, SampleOptions.defaults().withSeed(5));
        }
        boolean same = true;
        for (int first = n - part; first >= 0; first -= part) {
            try (Tensor noise = SampleNoise.initial(backend(), 3, first, part, 1)) {
                double[] slice = sample(sampler, noise, SampleOptions.defaults().withSeed(5).withFirstIndex(first));
                same &= Arrays.equals(Arrays.copyOfRange(whole, first, first + part), slice);
                if (sampler.couplesBatch()) {
                    continue;
                }
                assertArrayEquals(Arrays.copyOfRange(whole, first, first + part), slice, 0.0,
                        factory.name() + ": samples " + first + ".." + (first + part - 1) + " alone differ from the same samples in one batch");
            }
        }
        if (sampler.couplesBatch()) {
            assertFalse(same, factory.name() + " declares couplesBatch() but gives the same samples in any batch");
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void runsOfOneSamplerAreIndependent(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        try (Tensor noise = noise(backend(), BATCH, 1)) {
            double[] alone1 = sample(sampler, noise, 1);
            double[] alone2 = sample(sampler, noise, 2);
            Denoiser model = denoiser(sampler);
            try (SamplingRun a = sampler.start(model, noise, SampleOptions.defaults().withSeed(1));
                 SamplingRun b = sampler.start(model, noise, SampleOptions.defaults().withSeed(2))) {
                while (!a.isDone() || !b.isDone()) {
                    if (!a.isDone()) {
                        a.step();
                    }
                    if (!b.isDone()) {
                        b.step();
                    }
                }
                assertArrayEquals(alone1, a.result().toDoubleArray(), 0.0, factory.name() + ": interleaved run 1");
                assertArrayEquals(alone2, b.result().toDoubleArray(), 0.0, factory.name() + ": interleaved run 2");
            }
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void timestepsLieInsideTheSchedule(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        double[] t = sampler.timesteps();
        assertTrue(t.length == sampler.steps() || t.length == 0,
                factory.name() + ": " + t.length + " timesteps for " + sampler.steps() + " steps (only adaptive samplers list none)");
        Schedule s = sampler.schedule();
        for (double time : t) {
            assertTrue(time >= s.tMin() - 1e-9 && time <= s.tMax() + 1e-9,
                    factory.name() + ": timestep " + time + " outside [" + s.tMin() + ", " + s.tMax() + "]");
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void startAtResumesAtTheGivenStep(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        assumeTrue(sampler.steps() >= 2, "a single step cannot be resumed");
        int k = sampler.steps() / 2;
        Denoiser model = denoiser(sampler);
        SampleOptions options = SampleOptions.defaults().withSeed(4);
        try (Tensor noise = noise(backend(), BATCH, 1); SamplingRun first = sampler.start(model, noise, options)) {
            for (int i = 0; i < k; i++) {
                first.step();
            }
            Tensor state = first.state();
            SamplingRun resumed;
            try {
                resumed = sampler.startAt(k, model, state, options);
            } catch (UnsupportedOperationException e) {
                assumeFalse(true, factory.name() + " starts only from noise");
                return;
            }
            try (resumed) {
                assertEquals(k, resumed.stepsDone(), factory.name());
                assertEquals(first.time(), resumed.time(), 1e-12, factory.name() + ": time of step " + k);
                int steps = 0;
                while (!resumed.isDone()) {
                    resumed.step();
                    steps++;
                }
                assertEquals(sampler.steps() - k, steps, factory.name());
                assertTrue(resumed.result().isFinite(), factory.name());
            }
            assertThrows(IllegalArgumentException.class, () -> sampler.startAt(-1, model, state, options), factory.name());
            assertThrows(IllegalArgumentException.class, () -> sampler.startAt(sampler.steps(), model, state, options), factory.name());
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void setStateChecksTheShapeAndIsSeenByState(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        try (Tensor noise = noise(backend(), BATCH, 1);
             Tensor wrong = noise(backend(), BATCH + 1, 2);
             Tensor other = noise(backend(), BATCH, 3);
             SamplingRun run = sampler.start(denoiser(sampler), noise, SampleOptions.defaults())) {
            run.step();
            assertThrows(IllegalArgumentException.class, () -> run.setState(wrong), factory.name() + ": a state of another shape");
            run.setState(other);
            assertArrayEquals(other.toDoubleArray(), run.state().toDoubleArray(), 1e-9, factory.name());
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void noTensorStaysAliveAfterClose(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        TrackingBackend backend = new TrackingBackend(backend());
        Denoiser model = denoiser(sampler);
        try (Tensor noise = noise(backend, BATCH, 1)) {
            long before = backend.alive();
            long[] alive = new long[sampler.steps() + 1];
            try (SamplingRun run = sampler.start(model, noise, SampleOptions.defaults().withSeed(3))) {
                while (!run.isDone()) {
                    run.step();
                    alive[Math.min(run.stepsDone(), alive.length - 1)] = backend.alive() - before;
                }
                run.result().close();
            }
            int steps = sampler.steps();
            if (steps > 8) {
                assertEquals(alive[5], alive[steps - 1], factory.name() + ": tensors alive after step 5 and after step " + (steps - 1));
            }
            assertEquals(before, backend.alive(), factory.name() + ": tensors alive after the run and its result are closed");
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void aNonFiniteModelOutputIsReportedWithItsStep(SamplerFactory factory) {
        Sampler sampler = create(factory, STEPS);
        assumeTrue(sampler.steps() >= 3, "needs a few steps");
        Denoiser exact = denoiser(sampler);
        boolean[] poisoned = {false};
        Denoiser model = new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return exact.parameterization();
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                Tensor out = exact.predict(x, t, condition);
                return poisoned[0] ? out.mul(Double.NaN) : out;
            }
        };
        int k = 2;
        try (Tensor noise = noise(backend(), BATCH, 1); SamplingRun run = sampler.start(model, noise, SampleOptions.defaults())) {
            for (int i = 0; i < k; i++) {
                run.step();
            }
            poisoned[0] = true;
            NonFiniteOutputException e = assertThrows(NonFiniteOutputException.class, run::step, factory.name());
            assertEquals(k, e.step(), factory.name() + ": " + e.getMessage());
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void deterministicSamplersFollowTheExactProbabilityFlowOnGaussianData(SamplerFactory factory) {
        Sampler sampler = create(factory, FLOW_STEPS);
        assumeTrue(deterministic(sampler), factory.name() + " draws noise");
        GaussianDataDenoiser model = GaussianDataDenoiser.trainedOn(sampler.schedule(), DATA_STD);
        try (Tensor noise = noise(backend(), 64, 9); SamplingRun run = sampler.start(model, noise, SampleOptions.defaults())) {
            double[] start = run.state().toDoubleArray();
            double from = run.time();
            while (!run.isDone()) {
                run.step();
            }
            double factor = model.flow(from, run.time());
            double[] end = run.result().toDoubleArray();
            double worst = 0;
            for (int i = 0; i < end.length; i++) {
                worst = Math.max(worst, Math.abs(end[i] - factor * start[i]) / DATA_STD);
            }
            assertTrue(worst < flowTolerance(factory), factory.name() + ": largest error " + worst + " of the data's std against the exact flow");
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void stochasticSamplersReachTheDataDistribution(SamplerFactory factory) {
        Sampler sampler = create(factory, DISTRIBUTION_STEPS);
        assumeFalse(deterministic(sampler), factory.name() + " is deterministic");
        int n = 4000;
        double[] x;
        try (Tensor noise = noise(backend(), n, 11)) {
            x = sample(sampler, noise, 12);
        }
        double mean = Arrays.stream(x).average().orElseThrow();
        double variance = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
        double std = Math.sqrt(variance);
        assertEquals(0, mean, 5 * DATA_STD / Math.sqrt(n), factory.name() + ": mean");
        assertEquals(DATA_STD, std, 0.1 * DATA_STD, factory.name() + ": standard deviation");
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void zeroStepsAreRejectedByName(SamplerFactory factory) {
        Schedule schedule = create(factory, STEPS).schedule();
        assumeTrue(readsSteps(factory, schedule), factory.name() + " chooses its steps");
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> factory.create(schedule, Parameters.of("steps", 0).scoped("sampler")), factory.name());
        assertEquals("sampler.steps", e.parameter(), e.getMessage());
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("factories")
    public void theOtherScheduleKindWorksOrIsRejectedClearly(SamplerFactory factory) {
        Schedule accepted = create(factory, STEPS).schedule();
        for (Schedule other : SCHEDULES) {
            if (!other.name().equals(accepted.name())) {
                createOrRejectClearly(factory, other);
            }
        }
    }

    private static void createOrRejectClearly(SamplerFactory factory, Schedule other) {
        try {
            create(factory, other, STEPS);
        } catch (InvalidParameterException e) {
            // a clear rejection: of the schedule, or of a default that the other schedule kind does not allow
            assertTrue(!e.parameter().isEmpty() && !e.allowed().isEmpty(), e.getMessage());
        } catch (RuntimeException e) {
            fail(factory.name() + " fails on the schedule '" + other.name() + "' without naming the parameter: " + e);
        }
    }

    /** An example configuration of a factory, named for the report. */
    public record Example(SamplerFactory factory, Map<String, Object> parameters) {
    }

    Stream<Named<Example>> examples() {
        return samplers().stream().flatMap(f -> f.examples().stream().map(p -> Named.of(f.name() + " " + p, new Example(f, p))));
    }

    /**
     * Every example configuration of a deterministic solver that declares an order (see
     * {@link Sampler#order()}) converges to the exact probability-flow end point at that order: the
     * error of {@code N} steps over that of {@code 2N} is at least {@code 2^(order - 0.3)}, with
     * {@code N} the example's {@code steps} (48 if it sets none). Where the sampler has them and the
     * example sets none, every run stops at {@code sigma_min} ({@code final_sigmas_type}) instead of
     * jumping to sigma = 0, so the final jump does not dominate, and uses
     * {@code timestep_spacing = logsnr} (fractional times evenly spaced in log-SNR); the exact flow
     * starts from each run's own first state.
     */
    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void deterministicSolversConvergeAtTheirDeclaredOrder(Example example) {
        int steps = example.parameters().get("steps") instanceof Number n ? n.intValue() : 48;
        OptionalInt order = orderSampler(example, steps).order();
        assumeTrue(order.isPresent(), example.factory().name() + " " + example.parameters() + " declares no order");
        double coarse = orderError(example, steps);
        double fine = orderError(example, 2 * steps);
        double slope = Math.log(coarse / fine) / Math.log(2);
        String name = example.factory().name() + " " + example.parameters();
        System.out.printf("%-100s N=%3d err %.3e  2N err %.3e  slope %.2f (order %d)%n", name, steps, coarse, fine, slope, order.getAsInt());
        assertTrue(fine < coarse, name + " converges");
        assertTrue(slope > order.getAsInt() - 0.3, name + ": measured order " + slope + ", declared " + order.getAsInt());
    }

    private Sampler orderSampler(Example example, int steps) {
        Map<String, Object> p = new LinkedHashMap<>(example.parameters());
        p.put("steps", steps);
        // defaults the example leaves open, each dropped where the sampler does not have it (flow samplers have neither)
        List<String> defaults = new ArrayList<>();
        if (p.putIfAbsent("final_sigmas_type", "sigma_min") == null) {
            defaults.add("final_sigmas_type");
        }
        if (p.putIfAbsent("timestep_spacing", "logsnr") == null) {
            defaults.add("timestep_spacing");
        }
        InvalidParameterException rejected = null;
        for (Schedule schedule : List.of(orderSchedule(), TestSchedules.vp(), TestSchedules.rectifiedFlow())) {
            while (true) {
                try {
                    return example.factory().create(schedule, Parameters.of(p));
                } catch (InvalidParameterException e) {
                    String dropped = defaults.stream().filter(k -> e.parameter().endsWith(k)).findFirst().orElse(null);
                    if (dropped != null) {
                        p.remove(dropped);
                        defaults.remove(dropped);
                        continue;
                    }
                    if (!e.parameter().endsWith("schedule")) {
                        throw e;
                    }
                    rejected = e;
                    break;
                }
            }
        }
        throw rejected;
    }

    /** Mean |x - x_exact| at the end of a run of {@code steps} steps. */
    private double orderError(Example example, int steps) {
        Sampler sampler = orderSampler(example, steps);
        Denoiser model = orderModel(sampler.schedule());
        try (Tensor noise = orderNoise(); SamplingRun run = sampler.start(model, noise, SampleOptions.defaults())) {
            Tensor start = run.state().mul(1);
            double from = run.time();
            while (!run.isDone()) {
                run.step();
            }
            try (Tensor exact = exactFlow(model, start, from, run.time()); Tensor error = run.result().sub(exact).abs()) {
                return error.mean();
            }
        }
    }
}
