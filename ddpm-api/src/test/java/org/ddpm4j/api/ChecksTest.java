package org.ddpm4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void rangesAcceptTheirBoundsAsDeclared() {
        assertEquals(1.0, Checks.closed("x", 1.0, 0, 1));
        assertEquals(0.5, Checks.open("x", 0.5, 0, 1));
        assertThrows(InvalidParameterException.class, () -> Checks.open("x", 1.0, 0, 1));
        assertEquals(3, Checks.closed("n", 3, 1, 3));
        assertEquals(1, Checks.atLeast("n", 1, 1));
        assertEquals(0.0, Checks.nonNegative("x", 0.0));
    }

    @Test
    void nanAndInfinityFailEveryCheckAndTheMessageNamesTheParameter() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(InvalidParameterException.class, () -> Checks.closed("x", bad, 0, 1));
            assertThrows(InvalidParameterException.class, () -> Checks.positive("x", bad));
            assertThrows(InvalidParameterException.class, () -> Checks.finite("x", bad));
        }
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Checks.atLeast("sampler.steps", 0, 1));
        assertEquals("sampler.steps", e.parameter());
        assertEquals("0", e.value());
        assertEquals("invalid sampler.steps = 0: must be an integer >= 1", e.getMessage());
        assertThrows(InvalidParameterException.class, () -> Checks.ordered("beta_start", 2, "beta_end", 1));
    }
}
