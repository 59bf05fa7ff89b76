package org.ddpm4j.examples.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A paired percentile bootstrap of the ratio of two mean errors measured on the same samples
 * (mean of {@code reference} / mean of {@code candidate}): how far the benchmark's finite sample
 * leaves a ratio uncertain. Resampling pairs keeps what the two solvers share (a sample near a
 * boundary between modes is hard for both), so the interval is that of the ratio, not of two
 * independent means.
 */
public record RatioInterval(double ratio, double low, double high, double level, int resamples) {

    /**
     * The ratio of the means and its central {@code level} percentile interval over {@code resamples}
     * resamplings of the sample indices (with replacement, from {@code seed}).
     */
    public static RatioInterval of(double[] reference, double[] candidate, double level, int resamples, long seed) {
        if (reference.length != candidate.length || reference.length == 0) {
            throw new IllegalArgumentException("reference and candidate need the same, non-zero number of samples, got " + reference.length
                    + " and " + candidate.length);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
        if (resamples < 10) {
            throw new IllegalArgumentException("resamples must be at least 10, got " + resamples);
        }
        int n = reference.length;
        SplittableRandom random = new SplittableRandom(seed);
        double[] ratios = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double r = 0;
            double c = 0;
            for (int i = 0; i < n; i++) {
                int k = random.nextInt(n);
                r += reference[k];
                c += candidate[k];
            }
            ratios[b] = r / c;
        }
        Arrays.sort(ratios);
        double tail = (1 - level) / 2;
        return new RatioInterval(Arrays.stream(reference).sum() / Arrays.stream(candidate).sum(), quantile(ratios, tail), quantile(ratios, 1 - tail),
                level, resamples);
    }

    /** The {@code p} quantile of sorted values, linear between order statistics. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}
