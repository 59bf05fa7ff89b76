package org.ddpm4j.backend.java.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;

/** The conversions between predictions, checked on exact values: every pair, both directions. */
class ParameterizationTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void everyConversionMapsTheExactPredictionToTheExactPrediction() {
        double alpha = 0.6;
        double sigma = 0.8; // alpha^2 + sigma^2 = 1
        Tensor x0 = backend.randn(new GaussianNoise(1), 4, 3);
        Tensor eps = backend.randn(new GaussianNoise(2), 4, 3);
        Tensor xt = x0.linear(alpha, eps, sigma);
        Map<Parameterization, Tensor> exact = new EnumMap<>(Parameterization.class);
        exact.put(Parameterization.EPSILON, eps);
        exact.put(Parameterization.SAMPLE, x0);
        exact.put(Parameterization.V, eps.linear(alpha, x0, -sigma));
        exact.put(Parameterization.SCORE, eps.mul(-1 / sigma));
        exact.put(Parameterization.FLOW, eps.linear(1, x0, -1)); // the linear path's velocity
        for (Parameterization from : Parameterization.values()) {
            for (Parameterization to : Parameterization.values()) {
                Tensor converted = from.convert(exact.get(from), to, xt, alpha, sigma);
                assertClose(exact.get(to), converted, from + " -> " + to);
            }
        }
    }

    @Test
    void perSampleScalesConvertEachSampleWithItsOwnTime() {
        double[] alpha = {0.6, Math.sqrt(0.5), 0.99};
        double[] sigma = {0.8, Math.sqrt(0.5), Math.sqrt(1 - 0.99 * 0.99)};
        Tensor x0 = backend.randn(new GaussianNoise(3), 3, 2);
        Tensor eps = backend.randn(new GaussianNoise(4), 3, 2);
        Tensor xt = x0.mulPerSample(alpha).add(eps.mulPerSample(sigma));
        Tensor v = eps.mulPerSample(alpha).sub(x0.mulPerSample(sigma));
        assertClose(x0, Parameterization.V.convert(v, Parameterization.SAMPLE, xt, alpha, sigma), "v -> x0 per sample");
        assertClose(v, Parameterization.SAMPLE.convert(x0, Parameterization.V, xt, alpha, sigma), "x0 -> v per sample");
    }

    @Test
    void parsesDiffusersNames() {
        assertEquals(Parameterization.V, Parameterization.parse("prediction_type", "v_prediction"));
        assertEquals(Parameterization.SAMPLE, Parameterization.parse("prediction_type", "sample"));
        assertEquals("v_prediction", Parameterization.V.diffusersName());
        assertThrows(InvalidParameterException.class, () -> Parameterization.parse("prediction_type", "noise"));
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-12 * Math.max(1, Math.abs(e[i])), what + " at " + i);
        }
    }
}
