package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.testkit.EnergyDistance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stochastic samplers draw from the data distribution: with the exact denoiser of a Gaussian
 * mixture, 400 samples pass an energy-distance two-sample test against 400 exact draws (fixed
 * seeds, p > 0.01); and the test has the power to notice a sampler run on a schedule other than
 * the model's (p < 0.01): cosine instead of linear, or the VP SDE with beta_min = 5 instead of 0.1
 * (the Langevin samplers correct milder mismatches on their own: they only need the model's score).
 */
class StochasticSamplersTest {
    private static final int N = 400;
    private static final Schedule LINEAR = Mixtures.linear();
    private static final Schedule VP = Mixtures.vp();

    static Stream<Arguments> samplers() {
        Schedule wrongDiscrete = Mixtures.REGISTRY.createSchedule("cosine", Parameters.empty());
        Schedule wrongContinuous = Mixtures.REGISTRY.createSchedule("vp", Parameters.of("beta_min", 5.0, "beta_max", 20.0));
        return Stream.of(
                Arguments.of("ddpm", Map.of("clip_sample", false), LINEAR, wrongDiscrete),
                Arguments.of("ddpm", Map.of("clip_sample", false, "variance_type", "fixed_large", "steps", 250), LINEAR, wrongDiscrete),
                Arguments.of("ddim", Map.of("clip_sample", false, "eta", 1.0, "steps", 100), LINEAR, wrongDiscrete),
                Arguments.of("ddim", Map.of("clip_sample", false, "eta", 0.5, "steps", 100, "timestep_spacing", "trailing"), LINEAR, wrongDiscrete),
                Arguments.of("euler-ancestral", Map.of("steps", 100), LINEAR, wrongDiscrete),
                Arguments.of("sde-euler-maruyama", Map.of("steps", 500), VP, wrongContinuous),
                Arguments.of("pc", Map.of("steps", 250), VP, wrongContinuous),
                Arguments.of("annealed-langevin", Map.of("steps", 50), VP, wrongContinuous));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("samplers")
    void drawsFromTheMixtureAndNoticesAWrongSchedule(String name, Map<String, Object> parameters, Schedule schedule, Schedule wrong) {
        double[][] exact = points(exactDraws(), N);
        double right = EnergyDistance.pValue(sample(name, parameters, schedule, schedule), exact, 200, 1);
        double wrongP = EnergyDistance.pValue(sample(name, parameters, wrong, schedule), exact, 200, 1);
        System.out.printf("%-20s %-80s p = %.3f; on a wrong schedule p = %.3f%n", name, parameters, right, wrongP);
        assertTrue(right > 0.01, name + " samples differ from the mixture: p = " + right);
        assertTrue(wrongP < 0.01, name + " on a wrong schedule was not noticed: p = " + wrongP);
    }

    /** N samples of {@code name} configured on {@code samplerSchedule}, with the exact denoiser of {@code modelSchedule}. */
    private static double[][] sample(String name, Map<String, Object> parameters, Schedule samplerSchedule, Schedule modelSchedule) {
        Sampler sampler = Mixtures.REGISTRY.createSampler(name, samplerSchedule, Parameters.of(parameters));
        Tensor x = sampler.sample(Mixtures.denoiser(modelSchedule), Mixtures.noise(N, 21), SampleOptions.defaults().withSeed(22));
        return points(x.toDoubleArray(), N);
    }

    /** N exact draws of the data (the samplers end at x_0, or at sigma ~ 0.01 for the continuous ones: indistinguishable here). */
    private static double[] exactDraws() {
        double[][] draws = Mixtures.MIXTURE.sample(N, new GaussianNoise(23));
        double[] flat = new double[2 * N];
        for (int i = 0; i < N; i++) {
            flat[2 * i] = draws[i][0];
            flat[2 * i + 1] = draws[i][1];
        }
        return flat;
    }

    private static double[][] points(double[] flat, int n) {
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            p[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
        }
        return p;
    }
}
