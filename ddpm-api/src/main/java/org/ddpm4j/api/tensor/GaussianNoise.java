package org.ddpm4j.api.tensor;

import java.util.SplittableRandom;

/**
 * A reproducible stream of independent standard normal numbers N(0, 1), generated on the host
 * from a seed. Samplers and the training objective draw all their randomness from it, so that one
 * seed gives the same noise on every backend and every run.
 *
 * <p>Numbers come from {@link SplittableRandom} (SplitMix64: value {@code j} of a stream with seed
 * {@code k} is {@code mix64(k + (j + 1) * 0x9E3779B97F4A7C15)}, a counter-based generator) through
 * the Marsaglia polar method. {@code tools/diffusers-reference/java_noise.py} computes the same
 * numbers in Python. Not thread-safe.
 *
 * <p>Sampling draws from {@link #forSample}: one stream per sample and step, so that sample
 * {@code i} of a run is the same whatever batch, partition, thread or backend computes it
 * ({@link SampleNoise}).
 */
public final class GaussianNoise {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    public GaussianNoise(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private GaussianNoise(SplittableRandom random) {
        this.random = random;
    }

    /** An independent stream derived from this one (this stream advances). */
    public GaussianNoise split() {
        return new GaussianNoise(random.split());
    }

    /**
     * The stream for one step of a long run: a pure function of {@code (seed, step)}, so a run
     * resumed at step k draws the same numbers as an uninterrupted one.
     */
    public static GaussianNoise forStep(long seed, long step) {
        return new GaussianNoise(new SplittableRandom(mix(mix(seed) + GOLDEN_GAMMA * (step + 1))));
    }

    /** The step key of a sample's initial noise {@code x_T} in {@link #forSample}: before step 0. */
    public static final long INITIAL_STEP = -1;

    /** Keeps per-sample keys apart from {@link #forStep}'s ("sample" in ASCII). */
    private static final long SAMPLE_DOMAIN = 0x73616d706c65L;

    /**
     * The stream of sample {@code index} at step {@code step} of a run with {@code seed}: a pure
     * function of {@code (seed, index, step)}. Step {@link #INITIAL_STEP} gives the sample's initial
     * noise {@code x_T}, step {@code k >= 0} the noise a stochastic sampler adds in its step {@code k}
     * (several draws in one step continue the stream). For a fixed seed, distinct indices give
     * distinct keys, and for a fixed sample distinct steps do (the key map is a bijection in each).
     */
    public static GaussianNoise forSample(long seed, long index, long step) {
        long sample = mix((mix(seed) ^ SAMPLE_DOMAIN) + GOLDEN_GAMMA * (index + 1));
        return new GaussianNoise(new SplittableRandom(mix(sample + GOLDEN_GAMMA * (step + 2))));
    }

    public double next() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spare = v * m;
        hasSpare = true;
        return u * m;
    }

    public double[] nextDoubles(int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = next();
        }
        return out;
    }

    public float[] nextFloats(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) next();
        }
        return out;
    }

    /** A uniform number in [0, 1) from the same stream. */
    public double nextUniform() {
        return random.nextDouble();
    }

    /** A uniform 64-bit integer, e.g. to seed another generator. */
    public long nextLong() {
        return random.nextLong();
    }

    /** A uniform integer in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
