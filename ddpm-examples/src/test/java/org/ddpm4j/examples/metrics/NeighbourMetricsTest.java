package org.ddpm4j.examples.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.ToDoubleBiFunction;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.junit.jupiter.api.Test;

/**
 * The k-NN metrics: hand cases worked out on paper, exact null expectations, and, at the demo's
 * sample size (2,000 vs 2,000), the failure they exist for: two moons whose noise is scaled down
 * (a thin spread) or up. Tolerances come from a permutation test: pooling two samples and splitting them at
 * random draws the metric's distribution under "same distribution"; a sample of the data must lie
 * within 4 of its standard deviations of its mean, a narrowed or widened copy beyond 4 on the side
 * the metric should move.
 */
class NeighbourMetricsTest {
    static final int N = 2000;
    static final int PERMUTATIONS = 20;

    /** The demo's moons (Toy2d.MOONS) with their Gaussian noise (0.06) scaled by {@code noiseScale}. */
    static double[][] moons(int n, double noiseScale, long seed) {
        GaussianNoise r = new GaussianNoise(seed);
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            boolean upper = r.nextUniform() < 0.5;
            double a = Math.PI * r.nextUniform();
            double x = upper ? Math.cos(a) : 1 - Math.cos(a);
            double y = upper ? Math.sin(a) : 0.5 - Math.sin(a);
            p[i] = new double[] {(x - 0.5) * 1.6 + 0.06 * noiseScale * r.next(), (y - 0.25) * 1.6 + 0.06 * noiseScale * r.next()};
        }
        return p;
    }

    static double[][] line(double... xs) {
        double[][] p = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            p[i] = new double[] {xs[i], 0};
        }
        return p;
    }

    // ---- hand cases -------------------------------------------------------------------------

    @Test
    void nearestNeighboursByHand() {
        NearestNeighbours nn = new NearestNeighbours(line(0, 1, 3, 7));
        assertArrayEquals(new int[][] {{1, 2}, {0, 2}, {1, 0}, {2, 1}}, nn.neighbourIndices(2));
        assertArrayEquals(new double[] {9, 4, 9, 36}, nn.kthSquaredDistances(2));
        // balls of squared radius 1, 1, 4, 0 around 0, 1, 3, 7: 0.5 is in two, 2 in two (1 and 3; boundary included), 9 in none
        assertArrayEquals(new int[] {2, 2, 0}, nn.ballsContaining(line(0.5, 2, 9), new double[] {1, 1, 4, 0}, false));
        assertArrayEquals(new int[] {1, 1, 0}, nn.ballsContaining(line(0.5, 2, 9), new double[] {1, 1, 4, 0}, true));
        assertArrayEquals(new boolean[] {true, true, true, false}, nn.ballsHit(line(0.5, 2, 9), new double[] {1, 1, 4, 0}));
    }

    @Test
    void c2stByHand() {
        // well apart: every point's nearest neighbour is of its own sample
        assertEquals(1.0, KnnTwoSampleTest.accuracy(line(0, 0.1), line(5, 5.1), 1));
        // interleaved 0 < 1 < 2.1 < 3.3 (X = {0, 2.1}, Y = {1, 3.3}): every nearest neighbour is of the other sample
        assertEquals(0.0, KnnTwoSampleTest.accuracy(line(0, 2.1), line(1, 3.3), 1));
        // X = {0, 1, 2}, Y = {10, 11, 12.5}, k = 3: the 3 neighbours of 2 are 1, 0 and 10 (X wins); of 10: 11, 12.5, 2 (Y wins): all right
        assertEquals(1.0, KnnTwoSampleTest.accuracy(line(0, 1, 2), line(10, 11, 12.5), 3));
        // X = {0, 1}, Y = {2, 3}, k = 3: each point's 3 neighbours are the other three, a majority of the other sample
        assertEquals(0.0, KnnTwoSampleTest.accuracy(line(0, 1), line(2, 3), 3));
        assertThrows(IllegalArgumentException.class, () -> KnnTwoSampleTest.accuracy(line(0, 1), line(2, 3), 2));
    }

    @Test
    void c2stNullExpectationIsTheHypergeometricMajority() {
        // n = m = 2, k = 1: a point's one neighbour is one of 3 others, 1 of its own sample: 1/3
        assertEquals(1 / 3.0, KnnTwoSampleTest.nullExpectation(2, 2, 1), 1e-12);
        // n = m = 3, k = 3: own sample 2 of 5 others; P(>= 2 own of 3 draws) = (C(2,2) C(3,1)) / C(5,3) = 3/10
        assertEquals(0.3, KnnTwoSampleTest.nullExpectation(3, 3, 3), 1e-12);
        double large = KnnTwoSampleTest.nullExpectation(N, N, 5);
        assertTrue(large < 0.5 && large > 0.49, "" + large);
    }

    @Test
    void manifoldMetricsByHand() {
        // real {0, 1, 3}, k = 1: radii 1, 1, 2; generated {0.5, 5.5, 1.9}: radii 1.4, 1.4, 3.6
        ManifoldMetrics m = ManifoldMetrics.measure(line(0, 1, 3), line(0.5, 5.5, 1.9), 1);
        assertEquals(2 / 3.0, m.precision(), 1e-12); // 0.5 (balls of 0 and 1) and 1.9 (balls of 1 and 3) are in, 5.5 is 2.5 from 3
        assertEquals(1.0, m.recall(), 1e-12); // 0 and 1 lie within 1.4 of 0.5; 3 within 3.6 of 5.5
        assertEquals(4 / 3.0, m.density(), 1e-12); // (2 + 0 + 2) balls / (k = 1 times 3 points)
        assertEquals(1.0, m.coverage(), 1e-12); // every real ball holds a generated point
        // generated {10, 11}: nothing near the data
        ManifoldMetrics far = ManifoldMetrics.measure(line(0, 1, 3), line(10, 11), 1);
        assertEquals(new ManifoldMetrics(0, 0, 0, 0), far);
        assertEquals(1 - 0.4 * 0.25, ManifoldMetrics.coverageNullExpectation(3, 3, 2), 1e-12); // 1 - (2/5)(1/4)
    }

    // ---- same distribution vs narrowed / widened, at the demo's size --------------------------

    /** The permutation distribution of {@code metric(a, b)} under "same distribution": mean and standard deviation. */
    static double[] permutationNull(double[][] a, double[][] b, ToDoubleBiFunction<double[][], double[][]> metric) {
        double[][] pooled = new double[a.length + b.length][];
        System.arraycopy(a, 0, pooled, 0, a.length);
        System.arraycopy(b, 0, pooled, a.length, b.length);
        GaussianNoise r = new GaussianNoise(99);
        double s = 0;
        double s2 = 0;
        for (int p = 0; p < PERMUTATIONS; p++) {
            for (int i = pooled.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                double[] t = pooled[i];
                pooled[i] = pooled[j];
                pooled[j] = t;
            }
            double v = metric.applyAsDouble(java.util.Arrays.copyOfRange(pooled, 0, a.length),
                    java.util.Arrays.copyOfRange(pooled, a.length, pooled.length));
            s += v;
            s2 += v * v;
        }
        double mean = s / PERMUTATIONS;
        return new double[] {mean, Math.sqrt((s2 - PERMUTATIONS * mean * mean) / (PERMUTATIONS - 1))};
    }

    /**
     * {@code metric(data, data')} lies within 4 permutation standard deviations of the null mean, and
     * {@code metric(data, copy)} for each copy with noise scaled by {@code scales[i]} lies beyond 4 on
     * {@code sides[i]} ({@code +1} above, {@code -1} below); 4 sd is a one-sided p of 3e-5 for a
     * normal null.
     */
    static void separates(String name, ToDoubleBiFunction<double[][], double[][]> metric, double[] scales, int[] sides) {
        double[][] data = moons(N, 1, 1);
        double[][] same = moons(N, 1, 2);
        double[] nul = permutationNull(data, same, metric);
        double atFloor = metric.applyAsDouble(data, same);
        assertTrue(Math.abs(atFloor - nul[0]) < 4 * nul[1], name + " of two samples of the data: " + atFloor + ", null " + nul[0] + " +- " + nul[1]);
        for (int i = 0; i < scales.length; i++) {
            double v = metric.applyAsDouble(data, moons(N, scales[i], 2));
            double z = (v - nul[0]) / nul[1];
            assertTrue(sides[i] * z > 4, name + " of " + scales[i] + "x noise: " + v + " is " + z + " sd from the null mean " + nul[0]);
        }
    }

    @Test
    void c2stSeparatesANarrowedOrWidenedCopy() {
        double[][] data = moons(N, 1, 1);
        double[][] same = moons(N, 1, 2);
        // the permutation null's mean is the exact hypergeometric expectation
        double[] nul = permutationNull(data, same, (a, b) -> KnnTwoSampleTest.accuracy(a, b, 5));
        assertEquals(KnnTwoSampleTest.nullExpectation(N, N, 5), nul[0], 4 * nul[1] / Math.sqrt(PERMUTATIONS));
        // 5-NN at 2,000 points: 0.6x noise is 5-6 sd above the null (0.7x: 3 sd); widening hardly shows (precision sees it)
        separates("c2st", (a, b) -> KnnTwoSampleTest.accuracy(a, b, 5), new double[] {0.6}, new int[] {+1});
    }

    @Test
    void precisionAndRecallSeparateANarrowedOrWidenedCopy() {
        // precision sees samples spread off the data (1.4x: about -10 sd), recall a spread too thin (0.6x: about -30 sd)
        separates("precision", (a, b) -> ManifoldMetrics.measure(a, b, 5).precision(), new double[] {1.4}, new int[] {-1});
        separates("recall", (a, b) -> ManifoldMetrics.measure(a, b, 5).recall(), new double[] {0.6}, new int[] {-1});
    }

    @Test
    void densityAndCoverageSeparateANarrowedOrWidenedCopy() {
        // density sees both (about +-6 sd at 0.6x and 1.4x); coverage only a clearly thinner spread (0.5x: about -9 sd)
        separates("density", (a, b) -> ManifoldMetrics.measure(a, b, 5).density(), new double[] {0.6, 1.4}, new int[] {+1, -1});
        separates("coverage", (a, b) -> ManifoldMetrics.measure(a, b, 5).coverage(), new double[] {0.5}, new int[] {-1});
    }

    @Test
    void densityAndCoverageNullExpectationsAreExact() {
        double[][] data = moons(N, 1, 1);
        double[][] same = moons(N, 1, 2);
        double[] density = permutationNull(data, same, (a, b) -> ManifoldMetrics.measure(a, b, 5).density());
        double[] coverage = permutationNull(data, same, (a, b) -> ManifoldMetrics.measure(a, b, 5).coverage());
        assertEquals(1.0, density[0], 4 * density[1] / Math.sqrt(PERMUTATIONS));
        assertEquals(ManifoldMetrics.coverageNullExpectation(N, N, 5), coverage[0], 4 * coverage[1] / Math.sqrt(PERMUTATIONS));
    }
}
