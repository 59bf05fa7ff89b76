package org.ddpm4j.backend.tf;

import java.util.Arrays;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;

/**
 * Benchmarks of a {@link NetworkBackend} written against the API only, so that every backend is
 * measured the same way (a shared {@code bench backend} command can run it for each):
 * <ul>
 *   <li>sampler overhead: the wall time of an n-step sampling run divided by that of n bare
 *       denoiser forwards of the same batch (1.0: the sampler's own tensor algebra is free);</li>
 *   <li>training throughput: samples per second of {@code trainStep} on {@link Objective} batches;</li>
 *   <li>memory: the resident set size after a number of sampler steps.</li>
 * </ul>
 * Times are medians over repeats, after a warm-up.
 */
final class BackendBenchmark {

    /** A sampling run of {@code steps} steps from {@code noise} (the caller keeps {@code noise}). */
    @FunctionalInterface
    interface SamplingLoop {
        Tensor sample(Denoiser model, Tensor noise, int steps);
    }

    /** Milliseconds of n forwards, of an n-step run, and their ratio. */
    record Overhead(double forwardsMs, double runMs, double ratio) {
    }

    private BackendBenchmark() {
    }

    static Overhead samplerOverhead(NetworkBackend backend, NetworkSpec spec, int batch, int steps, int repeats, SamplingLoop loop) {
        try (TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults());
             Tensor noise = backend.randn(new GaussianNoise(1), shape(batch, spec))) {
            Denoiser model = net.ema();
            Condition labels = condition(spec, batch);
            double[] forwards = new double[repeats];
            double[] runs = new double[repeats];
            for (int r = -1; r < repeats; r++) { // r = -1: warm-up
                long start = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    try (TensorScope scope = backend.openScope()) {
                        model.predict(noise, 999.0 * (steps - i) / steps, labels);
                    }
                }
                long middle = System.nanoTime();
                loop.sample(model, noise, steps).close();
                long end = System.nanoTime();
                if (r >= 0) {
                    forwards[r] = (middle - start) / 1e6;
                    runs[r] = (end - middle) / 1e6;
                }
            }
            double f = median(forwards);
            double s = median(runs);
            return new Overhead(f, s, s / f);
        }
    }

    /** Samples per second of training steps on batches of the objective (random data of the spec's shape). */
    static double trainingThroughput(NetworkBackend backend, NetworkSpec spec, Schedule schedule, int batch, int steps) {
        Objective objective = Objective.simple(schedule);
        try (TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            GaussianNoise noise = new GaussianNoise(2);
            Condition labels = condition(spec, batch);
            long start = 0;
            for (int k = -3; k < steps; k++) { // three warm-up steps
                if (k == 0) {
                    start = System.nanoTime();
                }
                try (TensorScope scope = backend.openScope()) {
                    net.trainStep(objective.batch(backend.randn(noise, shape(batch, spec)), labels, noise), 1e-4, k);
                }
            }
            return (double) steps * batch / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Resident bytes of the process after each of {@code runs} sampling runs of {@code steps} steps (run 0: before). */
    static long[] residentBytes(NetworkBackend backend, NetworkSpec spec, int batch, int steps, SamplingLoop loop, int... runs) {
        try (TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults());
             Tensor noise = backend.randn(new GaussianNoise(3), shape(batch, spec))) {
            long[] rss = new long[runs.length];
            int done = 0;
            for (int i = 0; i < runs.length; i++) {
                for (; done < runs[i]; done++) {
                    loop.sample(net.ema(), noise, steps).close();
                }
                rss[i] = Fixtures.residentBytes();
            }
            return rss;
        }
    }

    private static int[] shape(int batch, NetworkSpec spec) {
        int[] sample = spec.sampleShape();
        int[] shape = new int[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    private static Condition condition(NetworkSpec spec, int batch) {
        return spec.numClasses() > 0 ? Condition.repeat(0, batch) : Condition.none();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
