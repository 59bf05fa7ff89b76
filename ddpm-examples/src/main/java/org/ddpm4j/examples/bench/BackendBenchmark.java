package org.ddpm4j.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;

/**
 * Speed and memory of one backend that builds networks, measured through the API only, so every
 * backend runs the same code:
 * <ul>
 *   <li>sampler overhead: the wall time of a 50-step run of the real {@code ddim} sampler plugin
 *       divided by that of {@link ReferenceDdimLoop}, a minimal hand-written loop making the same
 *       denoiser calls (1 means the plugin's machinery costs nothing beyond the arithmetic);</li>
 *   <li>training throughput: samples per second through core's {@link Trainer};</li>
 *   <li>memory: the process's resident set after 1,000 and after N steps of the sampler plugin.</li>
 * </ul>
 * Timings are medians over repeats; the compared loops run in lockstep (see {@link #overhead}).
 */
public final class BackendBenchmark {
    /** docs/NETWORKS.md's mlp with its defaults, for 2-D points. */
    public static final NetworkSpec MLP = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.empty());

    /** A U-Net for 28x28 grey images (Fashion-MNIST's shape) small enough for a CPU benchmark. */
    public static final NetworkSpec UNET = new NetworkSpec("unet", new int[] {1, 28, 28}, 0, Parameterization.EPSILON,
            Parameters.of("channels", 32, "channel_mult", List.of(1, 2, 2), "num_res_blocks", 1, "attention_levels", List.of(2),
                    "dropout", 0.0));

    /**
     * The Fashion-MNIST recipe's U-Net (README): channels 16, channel_mult [1, 2, 2], one residual
     * block per level, attention at level 2 (7x7), 10 classes, dropout 0; 281k parameters.
     */
    public static final NetworkSpec RECIPE_UNET = new NetworkSpec("unet", new int[] {1, 28, 28}, 10, Parameterization.EPSILON,
            Parameters.of("channels", 16, "channel_mult", List.of(1, 2, 2), "num_res_blocks", 1, "attention_levels", List.of(2),
                    "dropout", 0.0));

    /** Steps of every sampling run. */
    public static final int DDIM_STEPS = 50;

    /**
     * The six orders of (plugin, hand loop, control), taken in turn: each loop runs first, second and
     * last equally often and right after each of the others equally often, so neither position nor
     * caches warmed by a neighbour's identical work favour one of them.
     */
    private static final int[][] ORDERS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

    /** Unconditional, and no NaN checks: the hand loop does none either. */
    private static final SampleOptions OPTIONS = SampleOptions.defaults().withCheckFinite(false);

    private final NetworkBackend backend;
    private final DiscreteSchedule schedule;
    private final Sampler ddim;
    private final int repeats;

    /**
     * @param ddim the {@code ddim} sampler plugin with {@link #DDIM_STEPS} steps and no clipping, so
     *             that it computes what {@link ReferenceDdimLoop} computes
     */
    public BackendBenchmark(NetworkBackend backend, DiscreteSchedule schedule, Sampler ddim, int repeats) {
        int[] times = ReferenceDdimLoop.timesteps(schedule, DDIM_STEPS);
        if (!Arrays.equals(Arrays.stream(times).asDoubleStream().toArray(), ddim.timesteps())) {
            throw new IllegalArgumentException("sampler " + ddim.name() + " steps through " + Arrays.toString(ddim.timesteps())
                    + ", the hand loop through " + Arrays.toString(times) + ": the comparison needs the same denoiser calls");
        }
        this.backend = backend;
        this.schedule = schedule;
        this.ddim = ddim;
        this.repeats = repeats;
    }

    /**
     * Medians of the plugin's run time, of the hand loop's, of their ratio, and of the ratio of two
     * identical hand loops (the measurement's noise floor, ideally 1).
     */
    public record Overhead(String network, int batch, double samplerSeconds, double handSeconds, double ratio, double control) {
    }

    /** Training speed. */
    public record Throughput(String network, int batch, int steps, double samplesPerSecond) {
        public double millisPerStep() {
            return 1000.0 * batch / samplesPerSecond;
        }
    }

    /** Resident set size (bytes) after 1,000 and after {@code steps} sampler steps. */
    public record Memory(String network, int batch, int steps, long rssAfter1k, long rssAfterAll) {
        public double growth() {
            return (double) (rssAfterAll - rssAfter1k) / rssAfter1k;
        }
    }

    /**
     * The plugin's run, the hand loop and a second hand loop (the A/A control) advance in lockstep,
     * one step each in turn, the order changing from step to step ({@link #ORDERS}), so that all three
     * see the same machine load. Ratios are of the summed step times of one run.
     */
    public Overhead overhead(String name, NetworkSpec spec, int batch) {
        try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            Denoiser denoiser = model.ema();
            Tensor noise = backend.randn(new GaussianNoise(1), shape(spec, batch));
            ddim.sample(denoiser, noise, OPTIONS).close(); // warm-up of both loops
            ReferenceDdimLoop.sample(denoiser, schedule, noise, DDIM_STEPS, Condition.none()).close();
            double[] ratio = new double[repeats];
            double[] control = new double[repeats];
            double[] sampler = new double[repeats];
            double[] hand = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                double[] seconds = new double[3];
                try (SamplingRun run = ddim.start(denoiser, noise, OPTIONS)) {
                    ReferenceDdimLoop a = new ReferenceDdimLoop(denoiser, schedule, noise, DDIM_STEPS, Condition.none());
                    ReferenceDdimLoop b = new ReferenceDdimLoop(denoiser, schedule, noise, DDIM_STEPS, Condition.none());
                    Runnable[] steps = {run::step, a::step, b::step};
                    for (int k = 0; !run.isDone(); k++) {
                        for (int which : ORDERS[(k + r) % ORDERS.length]) {
                            seconds[which] += seconds(steps[which]);
                        }
                    }
                    run.result().close();
                    a.state().close();
                    b.state().close();
                }
                sampler[r] = seconds[0];
                hand[r] = seconds[1];
                ratio[r] = seconds[0] / seconds[1];
                control[r] = seconds[2] / seconds[1];
            }
            noise.close();
            return new Overhead(name, batch, median(sampler), median(hand), median(ratio), median(control));
        }
    }

    /**
     * One round of the comparison with PyTorch ({@code tools/networks-reference/bench_torch.py} measures
     * the same four figures): {@link #RECIPE_UNET} training (samples/s), sampling with {@code sampler}
     * (images/s; labels 0..9 in turn; the second of two runs) and one forward pass without gradients (ms), all at {@code batch},
     * and {@link #MLP} training at batch 256.
     */
    public Round round(Sampler sampler, int batch, int unetSteps, int mlpSteps) {
        double unetTrain = training("unet", RECIPE_UNET, batch, unetSteps).samplesPerSecond();
        double forward;
        double sampling;
        try (TrainableDenoiser model = backend.newDenoiser(RECIPE_UNET, OptimizerSettings.defaults());
             Tensor noise = backend.randn(new GaussianNoise(5), shape(RECIPE_UNET, batch))) {
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % RECIPE_UNET.numClasses();
            }
            Condition condition = Condition.classes(labels);
            model.ema().predict(noise, 500.0, condition).close(); // warm-up (TensorFlow builds its graph here)
            forward = seconds(() -> model.ema().predict(noise, 500.0, condition).close()) * 1000;
            SampleOptions options = OPTIONS.withCondition(condition);
            sampler.sample(model.ema(), noise, options).close(); // warm-up run, as the PyTorch side's
            sampling = batch / seconds(() -> sampler.sample(model.ema(), noise, options).close());
        }
        double mlpTrain = training("mlp", MLP, 256, mlpSteps).samplesPerSecond();
        return new Round(unetTrain, sampling, forward, mlpTrain);
    }

    /** The figures of one {@link #round}. */
    public record Round(double unetTrainSamplesPerSecond, double unetSampleImagesPerSecond, double unetForwardMillis,
                        double mlpTrainSamplesPerSecond) {
    }

    public Throughput training(String name, NetworkSpec spec, int batch, int steps) {
        int warmUp = Math.max(3, steps / 10);
        double[] seconds = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long[] start = new long[1];
            TrainingListener clock = new TrainingListener() {
                @Override
                public void onStep(int done, int total, double loss, double lr) {
                    if (done == warmUp) {
                        start[0] = System.nanoTime();
                    }
                }
            };
            TrainingSettings settings = new TrainingSettings(warmUp + steps, batch, 1e-4, 0, false, r, 0, 1);
            try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
                new Trainer(settings, data(spec), backend, clock).trainDenoiser(model, Objective.simple(schedule), Optional.empty(), false);
            }
            seconds[r] = (System.nanoTime() - start[0]) / 1e9;
        }
        return new Throughput(name, batch, steps, batch * steps / median(seconds));
    }

    /** Sampler steps after which the memory run takes its baseline RSS. */
    public static final int MEMORY_BASELINE_STEPS = 1000;

    /** Fails unless a memory run of {@code steps} sampler steps goes past its baseline (a growth from nothing means nothing). */
    public static void checkMemorySteps(String option, int steps) {
        if (steps < 2 * MEMORY_BASELINE_STEPS || steps % DDIM_STEPS != 0) {
            throw new InvalidParameterException(option, steps, "must be a multiple of " + DDIM_STEPS + " and at least "
                    + 2 * MEMORY_BASELINE_STEPS + ": the growth is measured from the RSS after " + MEMORY_BASELINE_STEPS + " steps");
        }
    }

    public Memory memory(String name, NetworkSpec spec, int batch, int steps) {
        checkMemorySteps("steps", steps);
        try (TrainableDenoiser model = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            Tensor noise = backend.randn(new GaussianNoise(2), shape(spec, batch));
            long after1k = 0;
            for (int done = 0; done < steps; done += DDIM_STEPS) {
                ddim.sample(model.ema(), noise, OPTIONS).close();
                if (done + DDIM_STEPS == MEMORY_BASELINE_STEPS) {
                    after1k = residentBytes();
                }
            }
            noise.close();
            return new Memory(name, batch, steps, after1k, residentBytes());
        }
    }

    private static ArrayData data(NetworkSpec spec) {
        int n = 2048;
        int d = Arrays.stream(spec.sampleShape()).reduce(1, (a, b) -> a * b);
        float[] values = new GaussianNoise(3).nextFloats(n * d);
        if (spec.numClasses() == 0) {
            return new ArrayData(values, spec.sampleShape(), null, 0);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % spec.numClasses();
        }
        return new ArrayData(values, spec.sampleShape(), labels, spec.numClasses());
    }

    static int[] shape(NetworkSpec spec, int batch) {
        int[] s = spec.sampleShape();
        int[] shape = new int[s.length + 1];
        shape[0] = batch;
        System.arraycopy(s, 0, shape, 1, s.length);
        return shape;
    }

    private static double seconds(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e9;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The process's resident set size (Linux {@code /proc/self/status}), in bytes. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status (the memory benchmark needs Linux)", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
