package org.ddpm4j.examples.metrics;

/**
 * Fidelity and diversity of generated points against real ones, from k-nearest-neighbour balls:
 * every point's ball reaches its k-th nearest neighbour in its own sample, and the union of a
 * sample's balls estimates the support (manifold) of its distribution.
 *
 * <ul>
 * <li>{@code precision} (Kynkäänniemi et al. 2019): the fraction of generated points inside the
 * real manifold; low when samples stray off the data (stragglers between the moons).
 * <li>{@code recall}: the fraction of real points inside the generated manifold; low when samples
 * miss parts of the data (a too-thin spread, a missing mode).
 * <li>{@code density} (Naeem et al. 2020): the mean number of real balls containing a generated
 * point, divided by k; 1 in expectation for identical distributions, above 1 when samples crowd
 * into the dense core of the data (too thin), below 1 when they spread too wide.
 * <li>{@code coverage} (Naeem et al. 2020): the fraction of real balls containing at least one
 * generated point; {@link #coverageNullExpectation} for identical distributions, lower when
 * samples leave regions of the data empty.
 * </ul>
 */
public record ManifoldMetrics(double precision, double recall, double density, double coverage) {
    /** The demo's k (Naeem et al.'s recommendation; Kynkäänniemi et al. use 3). */
    public static final int DEFAULT_K = 5;

    /** The four metrics of {@code generated} against {@code real}, with k-NN balls of the k-th neighbour. */
    public static ManifoldMetrics measure(double[][] real, double[][] generated, int k) {
        NearestNeighbours realBalls = new NearestNeighbours(real);
        NearestNeighbours generatedBalls = new NearestNeighbours(generated);
        double[] realRadii = realBalls.kthSquaredDistances(k);
        int[] containing = realBalls.ballsContaining(generated, realRadii, false);
        int inside = 0;
        long total = 0;
        for (int c : containing) {
            inside += c > 0 ? 1 : 0;
            total += c;
        }
        int[] reached = generatedBalls.ballsContaining(real, generatedBalls.kthSquaredDistances(k), true);
        int recalled = 0;
        for (int c : reached) {
            recalled += c;
        }
        int covered = 0;
        for (boolean hit : realBalls.ballsHit(generated, realRadii)) {
            covered += hit ? 1 : 0;
        }
        return new ManifoldMetrics(inside / (double) generated.length, recalled / (double) real.length,
                total / ((double) k * generated.length), covered / (double) real.length);
    }

    /**
     * The exact expected coverage when both samples ({@code n} real, {@code m} generated points) come
     * from one continuous distribution: a real ball holds no generated point iff the k nearest of the
     * {@code n - 1 + m} other points are all real, which has probability
     * {@code prod_{i<k} (n - 1 - i) / (n + m - 1 - i)} (about {@code 1 - 2^-k} for {@code n = m}).
     */
    public static double coverageNullExpectation(int n, int m, int k) {
        double empty = 1;
        for (int i = 0; i < k; i++) {
            empty *= (n - 1.0 - i) / (n + m - 1.0 - i);
        }
        return 1 - empty;
    }
}
