package org.ddpm4j.api.tensor;

import java.util.SplittableRandom;

/**
 * A reproducible stream of independent standard normal numbers N(0, 1), generated on the host
 * from a seed. Samplers and the training objective draw all their randomness from it, so that one
 * seed gives the same noise on every backend and every run.
 *
 * <p>Numbers come from {@link SplittableRandom} through the Marsaglia polar method. Not thread-safe.
 */
public final class GaussianNoise {
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
        return new GaussianNoise(new SplittableRandom(mix(mix(seed) + 0x9E3779B97F4A7C15L * (step + 1))));
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
