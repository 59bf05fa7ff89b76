package org.ddpm4j.examples.inpaint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.testkit.EnergyDistance;
import org.junit.jupiter.api.Test;

/** SDEdit with the exact denoiser of a 2-D mixture: small strength stays near the input, strength 1 forgets it. */
class SdeditTest {
    static final int N = InpaintingTest.N;

    /** Every input the same point, far from both clusters. */
    static Tensor input() {
        double[] v = new double[2 * N];
        for (int i = 0; i < N; i++) {
            v[2 * i] = 3;
            v[2 * i + 1] = -3;
        }
        return InpaintingTest.BACKEND.fromHost(v, N, 2);
    }

    static Tensor edit(double strength, String sampler) {
        Sampler s = InpaintingTest.sampler(sampler, 50);
        Tensor noise = InpaintingTest.BACKEND.randn(new GaussianNoise(11), N, 2);
        return new Sdedit(s, strength).edit(InpaintingTest.DENOISER, input(), noise, SampleOptions.defaults().withSeed(12));
    }

    static double meanDistanceToInput(Tensor out) {
        double[] v = out.toDoubleArray();
        double s = 0;
        for (int i = 0; i < N; i++) {
            s += Math.hypot(v[2 * i] - 3, v[2 * i + 1] + 3);
        }
        return s / N;
    }

    static double[][] points(Tensor t) {
        double[] v = t.toDoubleArray();
        double[][] p = new double[v.length / 2][];
        for (int i = 0; i < p.length; i++) {
            p[i] = new double[] {v[2 * i], v[2 * i + 1]};
        }
        return p;
    }

    @Test
    void smallStrengthKeepsTheInputNearlyUnchanged() {
        Sdedit s = new Sdedit(InpaintingTest.sampler("ddim", 50), 0.04);
        assertEquals(48, s.startStep(), "diffusers' rule: run ceil(0.04 * 50) = 2 of 50 steps");
        double d = meanDistanceToInput(edit(0.04, "ddim"));
        assertTrue(d < 0.3, "mean distance to the input " + d);
        assertTrue(d > 0, "the input is edited at all");
    }

    @Test
    void strengthOneSamplesTheDataDistributionWhateverTheInput() {
        double[][] edited = points(edit(1.0, "ddpm"));
        double[][] exact = InpaintingTest.MIXTURE.sample(N, new GaussianNoise(13));
        assertTrue(EnergyDistance.pValue(edited, exact, 200, 3) > 0.01, "strength 1 samples the mixture");
        assertTrue(meanDistanceToInput(edit(1.0, "ddpm")) > 3, "and forgets the input");
    }

    @Test
    void middleStrengthMovesTheInputOntoTheDataButNotAllTheWay() {
        double[][] edited = points(edit(0.5, "dpmsolver++"));
        double[][] exact = InpaintingTest.MIXTURE.sample(N, new GaussianNoise(13));
        double d = meanDistanceToInput(edit(0.5, "dpmsolver++"));
        assertTrue(d > 0.5, "moved: " + d);
        assertTrue(EnergyDistance.pValue(edited, exact, 200, 3) < 0.01, "still remembers the input");
    }

    @Test
    void strengthOutsideTheRangeIsRejectedByName() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> new Sdedit(InpaintingTest.sampler("ddim", 10), 1.5));
        assertEquals("strength", e.parameter());
        assertThrows(InvalidParameterException.class, () -> new Sdedit(InpaintingTest.sampler("ddim", 10), 0));
    }
}
