package org.ddpm4j.samplers.likelihood;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The closed forms of {@link Gaussians} against direct numerical integration of the densities. */
class GaussiansTest {

    /** Composite Simpson rule with {@code n} (even) intervals. */
    private static double simpson(DoubleUnaryOperator f, double a, double b, int n) {
        double h = (b - a) / n;
        double sum = f.applyAsDouble(a) + f.applyAsDouble(b);
        for (int i = 1; i < n; i++) {
            sum += (i % 2 == 1 ? 4 : 2) * f.applyAsDouble(a + i * h);
        }
        return sum * h / 3;
    }

    private static double logDensity(double x, double mean, double variance) {
        return -0.5 * (Math.log(2 * Math.PI * variance) + (x - mean) * (x - mean) / variance);
    }

    @Test
    void klEqualsTheIntegralOfPLogPOverQ() {
        double[][] cases = {{0, 1, 0, 1}, {0.3, 0.5, -0.2, 2.0}, {1.5, 0.01, 1.4, 0.02}, {-2, 3, 1, 0.7}, {0.1, 1e-4, 0.1, 2e-4}};
        for (double[] c : cases) {
            double m1 = c[0];
            double v1 = c[1];
            double m2 = c[2];
            double v2 = c[3];
            double sd = Math.sqrt(v1);
            double direct = simpson(x -> Math.exp(logDensity(x, m1, v1)) * (logDensity(x, m1, v1) - logDensity(x, m2, v2)),
                    m1 - 14 * sd, m1 + 14 * sd, 20_000);
            double closed = Gaussians.normalKl(m1, Math.log(v1), m2, Math.log(v2));
            assertEquals(direct, closed, 1e-9 * Math.max(1, Math.abs(direct)), java.util.Arrays.toString(c));
        }
        assertEquals(0, Gaussians.normalKl(0.7, -3, 0.7, -3), 1e-15);
    }

    @Test
    void discretizedLikelihoodIsTheDensityIntegratedOverTheBin() {
        double half = 1.0 / 255;
        double[][] cases = {{0, 0.01, Math.log(0.02)}, {3 * 2.0 / 255 - 1 + 2.0 / 255 * 100, 0.2, Math.log(1e-3)}, {0.5, 0.5, Math.log(1e-5)},
                {-1, -0.99, Math.log(1e-4)}, {1, 0.95, Math.log(4e-4)}, {-1, 0.3, Math.log(0.5)}, {0.2, 0.25, Math.log(1e-3)}};
        for (double[] c : cases) {
            double x = c[0];
            double mean = c[1];
            double variance = Math.exp(c[2]);
            double sd = Math.sqrt(variance);
            double lower = x <= -1 ? Math.min(mean, -1) - 40 * sd : x - half;
            double upper = x >= 1 ? Math.max(mean, 1) + 40 * sd : x + half;
            double probability = simpson(z -> Math.exp(logDensity(z, mean, variance)), lower, upper, 200_000);
            double closed = Gaussians.discretizedLogLikelihood(x, mean, c[2]);
            assertEquals(Math.log(probability), closed, 1e-7, java.util.Arrays.toString(c));
        }
    }

    @Test
    void theBinsOfAllEightBitValuesSumToOne() {
        for (double[] c : new double[][] {{0.13, Math.log(0.04)}, {-0.98, Math.log(1e-5)}, {2.5, Math.log(0.3)}}) {
            double total = 0;
            for (int k = 0; k < 256; k++) {
                total += Math.exp(Gaussians.discretizedLogLikelihood(k * 2.0 / 255 - 1, c[0], c[1]));
            }
            assertEquals(1, total, 1e-12);
        }
    }

    @Test
    void farTailsKeepTheirDigits() {
        // 30 standard deviations out: Phi differences from the tail, not 1 - 1
        double x = 0.0;
        double mean = -30 * 0.01;
        double logVar = Math.log(1e-4);
        double a = (x - 1.0 / 255 - mean) / 0.01;
        double b = (x + 1.0 / 255 - mean) / 0.01;
        double expected = Math.log(simpson(z -> Math.exp(-0.5 * z * z - 0.5 * Math.log(2 * Math.PI)), a, b, 20_000));
        assertEquals(expected, Gaussians.discretizedLogLikelihood(x, mean, logVar), 1e-6);
    }
}
