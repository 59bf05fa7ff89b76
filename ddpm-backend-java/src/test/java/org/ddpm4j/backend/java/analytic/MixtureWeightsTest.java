package org.ddpm4j.backend.java.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.junit.jupiter.api.Test;

class MixtureWeightsTest {
    private static Parameters mixture(double... weights) {
        return Parameters.of(Map.of("weights", java.util.Arrays.stream(weights).boxed().toList(),
                "means", List.of(List.of(0.0), List.of(1.0)), "stds", List.of(1.0, 1.0)));
    }

    @Test
    void configuredWeightsMustSumToOne() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> GaussianMixture.fromParameters(mixture(1, 1)));
        assertEquals("invalid weights = [1.0, 1.0]: must sum to 1, they sum to 2.0", e.getMessage());
        assertEquals(0.25, GaussianMixture.fromParameters(mixture(0.25, 0.75)).weight(0), 0);
    }
}
