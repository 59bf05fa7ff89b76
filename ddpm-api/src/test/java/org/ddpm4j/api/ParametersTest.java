package org.ddpm4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParametersTest {

    @Test
    void hasIsAQueryWithoutSideEffect() {
        Parameters p = Parameters.of("stepz", 10);
        assertTrue(p.has("stepz"));
        assertFalse(p.has("steps"));
        InvalidParameterException e = assertThrows(InvalidParameterException.class, p::requireAllUsed);
        assertEquals("stepz", e.parameter());
    }

    @Test
    void aNullValueCountsAsAbsent() {
        Map<String, Object> map = new HashMap<>();
        map.put("variance_type", null);
        Parameters p = Parameters.of(map);
        assertFalse(p.has("variance_type"));
        assertEquals(7, p.getInt("variance_type", 7));
    }

    @Test
    void gettersAndMarkUsedMarkKeys() {
        Parameters p = Parameters.of("steps", 10, "eta", 0.5, "flow_shift", 3.0);
        assertEquals(10, p.getInt("steps", 50));
        assertEquals(0.5, p.getDouble("eta", 0));
        assertEquals(Set.of("flow_shift"), p.unusedKeys());
        p.markUsed("flow_shift");
        p.requireAllUsed();
    }

    @Test
    void unknownKeysAreReportedWithTheKeysThePluginReads() {
        Parameters p = Parameters.of("etta", 0.5).scoped("sampler");
        p.getDouble("eta", 0);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, p::requireAllUsed);
        assertEquals("sampler.etta", e.parameter());
        assertTrue(e.allowed().contains("supported: eta"), e.getMessage());
    }

    @Test
    void typedGettersConvertAndRejectByName() {
        Parameters p = Parameters.of("n", 3.0, "x", "2.5", "big", 1e12, "frac", 2.5, "flag", "TRUE", "inf", "inf", "word", "abc")
                .scoped("s");
        assertEquals(3, p.requireInt("n"));
        assertEquals(2.5, p.requireDouble("x"));
        assertTrue(p.getBoolean("flag", false));
        assertEquals(Double.POSITIVE_INFINITY, p.requireDouble("inf"));
        assertEquals("s.big", assertThrows(InvalidParameterException.class, () -> p.requireInt("big")).parameter());
        assertEquals("s.frac", assertThrows(InvalidParameterException.class, () -> p.requireLong("frac")).parameter());
        assertEquals("s.word", assertThrows(InvalidParameterException.class, () -> p.requireDouble("word")).parameter());
        assertEquals("s.missing", assertThrows(InvalidParameterException.class, () -> p.requireInt("missing")).parameter());
    }

    @Test
    void choicesIgnoreCaseAndListWhatIsAllowed() {
        Parameters p = Parameters.of("spacing", "Leading");
        assertEquals("leading", p.getChoice("spacing", "linspace", "linspace", "leading", "trailing"));
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Parameters.of("spacing", "uniform").getChoice("spacing", "linspace", "linspace", "leading"));
        assertTrue(e.allowed().contains("linspace, leading"), e.getMessage());
    }

    @Test
    void arraysAndMatricesAreReadAndCheckedElementByElement() {
        Parameters p = Parameters.of("t", List.of(999, 500, 0), "m", List.of(List.of(1, 2), List.of(3, 4)), "ragged",
                List.of(List.of(1, 2), List.of(3)), "bad", List.of(1, "x"));
        assertArrayEquals(new int[] {999, 500, 0}, p.requireIntArray("t"));
        assertArrayEquals(new double[] {3, 4}, p.requireDoubleMatrix("m")[1]);
        assertEquals("ragged[1]", assertThrows(InvalidParameterException.class, () -> p.requireDoubleMatrix("ragged")).parameter());
        assertEquals("bad[1]", assertThrows(InvalidParameterException.class, () -> p.requireDoubleArray("bad")).parameter());
    }

    @Test
    void nestedParametersAreScopedUnderTheirKey() {
        Parameters p = Parameters.of("options", Map.of("a", "x"));
        Parameters nested = p.getNested("options");
        assertEquals("options.a", assertThrows(InvalidParameterException.class, () -> nested.requireInt("a")).parameter());
        assertEquals("options", assertThrows(InvalidParameterException.class, () -> Parameters.of("options", 3).getNested("options"))
                .parameter());
    }

    @Test
    void withAndWithoutCopyAndStartTrackingAfresh() {
        Parameters p = Parameters.of("a", 1, "b", 2);
        p.getInt("a", 0);
        Parameters q = p.with("c", 3).without("b");
        assertEquals(Set.of("a", "c"), q.unusedKeys());
        assertEquals(Set.of("b"), p.unusedKeys());
        assertThrows(IllegalArgumentException.class, () -> Parameters.of("odd"));
    }
}
