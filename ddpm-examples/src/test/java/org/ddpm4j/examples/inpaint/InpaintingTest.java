package org.ddpm4j.examples.inpaint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.testkit.EnergyDistance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Inpainting of a 2-D Gaussian mixture with its exact denoiser: with x known, the inpainted y must
 * follow the closed-form conditional p(y | x) (itself a mixture), which for these x values is far
 * from the marginal p(y) that a method ignoring the known coordinate would produce.
 */
class InpaintingTest {
    static final PluginRegistry REGISTRY = PluginRegistry.load();
    /** Two tilted clusters: x says which one a point belongs to, but not with certainty. */
    static final GaussianMixture MIXTURE = new GaussianMixture(new double[] {0.4, 0.6},
            new double[][] {{-1, -1.2}, {1, 1}}, new double[] {0.5, 0.4});
    static final int N = 600;

    static final TensorBackend BACKEND = REGISTRY.createBackend("java", Parameters.of(java.util.Map.of()));
    static final Schedule SCHEDULE = REGISTRY.createSchedule("linear", Parameters.of(java.util.Map.of()));
    static final GaussianMixtureDenoiser DENOISER = new GaussianMixtureDenoiser(MIXTURE, SCHEDULE, false);

    /** The sampler without diffusers' default clipping of x0 into [-1, 1], which the mixture exceeds. */
    static Sampler sampler(String name, int steps) {
        Parameters p = name.equals("ddpm") || name.equals("ddim") ? Parameters.of("steps", steps, "clip_sample", false) : Parameters.of("steps", steps);
        return REGISTRY.createSampler(name, SCHEDULE, p);
    }

    /** N points whose x is {@code x} and whose y (unknown to the method) is a deliberately wrong 5. */
    static Tensor knownX(double x) {
        double[] v = new double[2 * N];
        for (int i = 0; i < N; i++) {
            v[2 * i] = x;
            v[2 * i + 1] = 5;
        }
        return BACKEND.fromHost(v, N, 2);
    }

    static Tensor xMask() {
        double[] m = new double[2 * N];
        for (int i = 0; i < N; i++) {
            m[2 * i] = 1;
        }
        return BACKEND.fromHost(m, N, 2);
    }

    static double[][] column(Tensor samples, int j) {
        double[] v = samples.toDoubleArray();
        double[][] c = new double[v.length / 2][];
        for (int i = 0; i < c.length; i++) {
            c[i] = new double[] {v[2 * i + j]};
        }
        return c;
    }

    static double mean(double[][] c) {
        return Arrays.stream(c).mapToDouble(p -> p[0]).average().orElseThrow();
    }

    /** Mean of the exact conditional mixture of y given x. */
    static double exactMean(GaussianMixture conditional) {
        double m = 0;
        for (int k = 0; k < conditional.components(); k++) {
            m += conditional.weight(k) * conditional.mean(k)[0];
        }
        return m;
    }

    static Tensor inpaintX(String sampler, int steps, int resampling, double x) {
        Tensor noise = BACKEND.randn(new GaussianNoise(1), N, 2);
        return new Inpainting(sampler(sampler, steps), resampling).inpaint(DENOISER, knownX(x), xMask(), noise,
                SampleOptions.defaults().withSeed(7));
    }

    /**
     * RePaint with resampling: the mean of y given x is the exact one. (Replacement alone is biased
     * for coordinates this strongly coupled: see the next test.) The bias shrinks with the rounds but
     * not to nothing: at x = 0.3 with 50 steps, 20 rounds still leave the mean 0.02-0.12 low over six
     * seeds (standard error 0.025), too close to the tolerance, and 40 rounds leave it within 0.05.
     */
    @ParameterizedTest(name = "{0} {1} steps, resampling {2}, x = {3}")
    @CsvSource({"ddpm, 50, 40, 0.3", "ddpm, 50, 20, -0.6", "ddpm, 25, 40, 0.3"})
    void inpaintedYHasTheMeanOfTheExactConditional(String name, int steps, int resampling, double x) {
        Tensor out = inpaintX(name, steps, resampling, x);
        assertTrue(Arrays.stream(column(out, 0)).allMatch(p -> p[0] == x), "the known coordinate is kept exactly");
        double[][] y = column(out, 1);
        GaussianMixture conditional = MIXTURE.conditional(new int[] {0}, new double[] {x});
        assertEquals(exactMean(conditional), mean(y), 0.1, "mean of y given x");
        // the marginal of y, which ignoring x would give, is far from it and rejected by a two-sample test
        double[][] marginal = Arrays.stream(MIXTURE.sample(N, new GaussianNoise(4))).map(q -> new double[] {q[1]}).toArray(double[][]::new);
        assertTrue(Math.abs(mean(marginal) - exactMean(conditional)) > 0.5, "the case tells p(y | x) from p(y)");
        assertTrue(EnergyDistance.pValue(y, marginal, 200, 3) < 0.01, "inpainted y is not the marginal");
    }

    /** Each resampling round moves the samples towards the exact conditional: the error shrinks with U. */
    @Test
    void resamplingReducesTheErrorOfReplacement() {
        double exact = exactMean(MIXTURE.conditional(new int[] {0}, new double[] {0.3}));
        double[] error = new double[3];
        int[] rounds = {1, 5, 20};
        for (int i = 0; i < rounds.length; i++) {
            error[i] = Math.abs(mean(column(inpaintX("ddpm", 50, rounds[i], 0.3), 1)) - exact);
        }
        assertTrue(error[0] > 0.3, "replacement alone is biased here: " + Arrays.toString(error));
        assertTrue(error[1] < 0.75 * error[0] && error[2] < 0.5 * error[1], "errors for U = 1, 5, 20: " + Arrays.toString(error));
    }

    /** Independent coordinates: replacement is exact, so y must follow p(y) = p(y | x) in distribution. */
    @Test
    void withIndependentCoordinatesYFollowsItsDistribution() {
        GaussianMixture independent = new GaussianMixture(new double[] {1}, new double[][] {{0.5, -0.7}}, new double[] {0.6});
        Tensor noise = BACKEND.randn(new GaussianNoise(9), N, 2);
        Tensor out = new Inpainting(sampler("dpmsolver++", 30), 1).inpaint(new GaussianMixtureDenoiser(independent, SCHEDULE, false),
                knownX(0.3), xMask(), noise, SampleOptions.defaults().withSeed(10));
        double[][] exact = independent.conditional(new int[] {0}, new double[] {0.3}).sample(N, new GaussianNoise(11));
        assertTrue(EnergyDistance.pValue(column(out, 1), exact, 200, 3) > 0.01);
        assertEquals(-0.7, mean(column(out, 1)), 0.08);
    }

    @Test
    void withEveryEntryUnknownItSamplesTheMixture() {
        Tensor noise = BACKEND.randn(new GaussianNoise(5), N, 2);
        Tensor out = new Inpainting(sampler("ddpm", 100), 1).inpaint(DENOISER, knownX(0.3), xMask().mul(0), noise,
                SampleOptions.defaults().withSeed(8));
        double[][] exact = MIXTURE.sample(N, new GaussianNoise(6));
        double[][] points = new double[N][];
        double[] v = out.toDoubleArray();
        for (int i = 0; i < N; i++) {
            points[i] = new double[] {v[2 * i], v[2 * i + 1]};
        }
        assertTrue(EnergyDistance.pValue(points, exact, 200, 3) > 0.01);
    }

    /** All noise is per sample: a batch cut in two (with its first indices) inpaints every sample the same, with and without resampling. */
    @ParameterizedTest(name = "resampling {0}")
    @CsvSource({"1", "3"})
    void aSampleIsInpaintedTheSameInAnyBatch(int resampling) {
        Inpainting inpainting = new Inpainting(sampler("ddpm", 8), resampling);
        double[] whole = inpaintRows(inpainting, 0, 6);
        double[] head = inpaintRows(inpainting, 0, 4);
        double[] tail = inpaintRows(inpainting, 4, 2);
        assertTrue(Arrays.equals(whole, 0, 8, head, 0, 8) && Arrays.equals(whole, 8, 12, tail, 0, 4),
                Arrays.toString(whole) + " vs " + Arrays.toString(head) + " + " + Arrays.toString(tail));
        assertTrue(Arrays.stream(whole).distinct().count() > 6, "the samples differ from each other");
    }

    /** Samples {@code first .. first + rows - 1} of a run inpainting y given x = 0.3. */
    private static double[] inpaintRows(Inpainting inpainting, long first, int rows) {
        double[] known = new double[2 * rows];
        double[] mask = new double[2 * rows];
        for (int i = 0; i < rows; i++) {
            known[2 * i] = 0.3;
            mask[2 * i] = 1;
        }
        Tensor noise = org.ddpm4j.api.tensor.SampleNoise.initial(BACKEND, 7, first, rows, 2);
        return inpainting.inpaint(DENOISER, BACKEND.fromHost(known, rows, 2), BACKEND.fromHost(mask, rows, 2), noise,
                SampleOptions.defaults().withSeed(7).withFirstIndex(first)).toDoubleArray();
    }

    @Test
    void badInputNamesTheParameter() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> new Inpainting(sampler("ddim", 10), 0));
        assertEquals("resampling", e.parameter());
        Tensor noise = BACKEND.randn(new GaussianNoise(1), N, 2);
        e = assertThrows(InvalidParameterException.class, () -> new Inpainting(sampler("ddim", 10), 1)
                .inpaint(DENOISER, knownX(0), BACKEND.fromHost(new double[2], 1, 2), noise, SampleOptions.defaults()));
        assertEquals("mask", e.parameter());
    }
}
