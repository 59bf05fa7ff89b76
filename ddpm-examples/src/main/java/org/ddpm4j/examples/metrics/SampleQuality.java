package org.ddpm4j.examples.metrics;

import org.ddpm4j.core.metrics.SampleDistances;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How close generated points are to held-out data, each number with the floor that a perfect model
 * would reach: the held-out set is split in halves A and B; the samples are compared with A, and B
 * with A (the same sizes, so the same estimator noise).
 *
 * <p>What each number sees: the k-NN two-sample test ({@code c2st}, 0.5 = indistinguishable) and
 * density/coverage and precision/recall compare neighbourhoods, so they see a spread that is too
 * thin or too wide and points that stray off the data. Energy distance and the squared MMD (Gaussian
 * kernel of the median pairwise distance) compare the clouds at the scale of the whole data set:
 * they see a shifted, scaled or missing part, but are nearly blind to a spread narrowed or widened
 * on a scale finer than the kernel (the thin moons of an inaccurate sampler score at their floor).
 * Both are V-statistics, never negative, reported with {@code ratio = distance / floor}.
 *
 * @param samples   number of generated points
 * @param reference number of held-out points they are compared with (half A)
 * @param k         neighbours of the k-NN metrics
 * @param c2st      leave-one-out k-NN classifier accuracy, samples vs A (floor: B vs A)
 * @param precision fraction of samples inside A's k-NN manifold
 * @param recall    fraction of A inside the samples' k-NN manifold
 * @param density   Naeem et al.'s density of the samples in A's k-NN balls
 * @param coverage  fraction of A's k-NN balls holding a sample
 * @param energy    energy distance to A
 * @param mmd       squared MMD to A
 */
public record SampleQuality(int samples, int reference, int k, Score c2st, Score precision, Score recall, Score density,
                            Score coverage, Score energy, Score mmd) {

    /** A value and the same number for two halves of held-out data. */
    public record Score(double value, double floor) {
        public double ratio() {
            return value / floor;
        }
    }

    /** Compares {@code samples} with {@code heldOut}, which needs at least twice as many points. */
    public static SampleQuality measure(double[][] samples, double[][] heldOut) {
        if (samples.length <= ManifoldMetrics.DEFAULT_K || heldOut.length < 2 * samples.length) {
            throw new IllegalArgumentException("need > " + ManifoldMetrics.DEFAULT_K + " samples and twice as many held-out points, got "
                    + samples.length + " and " + heldOut.length);
        }
        int n = samples.length;
        int k = ManifoldMetrics.DEFAULT_K;
        double[][] a = Arrays.copyOfRange(heldOut, 0, n);
        double[][] b = Arrays.copyOfRange(heldOut, n, 2 * n);
        ManifoldMetrics m = ManifoldMetrics.measure(a, samples, k);
        ManifoldMetrics f = ManifoldMetrics.measure(a, b, k);
        return new SampleQuality(n, n, k,
                new Score(KnnTwoSampleTest.accuracy(samples, a, k), KnnTwoSampleTest.accuracy(b, a, k)),
                new Score(m.precision(), f.precision()), new Score(m.recall(), f.recall()),
                new Score(m.density(), f.density()), new Score(m.coverage(), f.coverage()),
                new Score(SampleDistances.energyDistanceV(samples, a), SampleDistances.energyDistanceV(b, a)),
                new Score(SampleDistances.mmdSquaredV(samples, a), SampleDistances.mmdSquaredV(b, a)));
    }

    /** The numbers by name, for a metrics file: each {@code name} with its {@code name_floor}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", samples);
        m.put("reference_points", reference);
        m.put("k", k);
        put(m, "c2st_accuracy", c2st);
        put(m, "precision", precision);
        put(m, "recall", recall);
        put(m, "density", density);
        put(m, "coverage", coverage);
        put(m, "energy_distance", energy);
        m.put("energy_distance_ratio", energy.ratio());
        put(m, "mmd2", mmd);
        m.put("mmd2_ratio", mmd.ratio());
        return m;
    }

    private static void put(Map<String, Object> m, String name, Score s) {
        m.put(name, s.value());
        m.put(name + "_floor", s.floor());
    }

    /** The printout: the k-NN metrics that see the spread first, then the global distances and what they miss. */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "C2ST accuracy (%d-NN, leave-one-out; 0.5 = indistinguishable) %.3f (floor %.3f)%n"
                        + "precision %.3f (floor %.3f), recall %.3f (floor %.3f), density %.3f (floor %.3f), coverage %.3f (floor %.3f)%n"
                        + "energy distance ratio %.2f, MMD^2 ratio %.2f (global distances: blind to a spread that is too thin or too wide)",
                k, c2st.value(), c2st.floor(), precision.value(), precision.floor(), recall.value(), recall.floor(),
                density.value(), density.floor(), coverage.value(), coverage.floor(), energy.ratio(), mmd.ratio());
    }
}
