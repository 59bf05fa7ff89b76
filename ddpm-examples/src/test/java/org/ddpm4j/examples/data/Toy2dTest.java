package org.ddpm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.InvalidParameterException;
import org.junit.jupiter.api.Test;

class Toy2dTest {

    @Test
    void everyDatasetIsReproducibleAndRoughlyUnitScale() {
        for (Toy2d t : Toy2d.values()) {
            double[][] a = t.sample(4000, 7);
            assertArrayEquals(a[123], t.sample(4000, 7)[123], 0.0, t + " is reproducible from its seed");
            double m0 = 0;
            double v0 = 0;
            for (double[] p : a) {
                m0 += p[0];
            }
            m0 /= a.length;
            for (double[] p : a) {
                v0 += (p[0] - m0) * (p[0] - m0);
            }
            v0 /= a.length;
            assertTrue(Math.abs(m0) < 0.2 && v0 > 0.3 && v0 < 2.0, t + ": mean " + m0 + ", variance " + v0);
        }
    }

    @Test
    void eightGaussiansHasEightModes() {
        int[] counts = new int[8];
        for (double[] p : Toy2d.EIGHT_GAUSSIANS.sample(8000, 1)) {
            int k = (int) Math.round(Math.atan2(p[1], p[0]) / (2 * Math.PI / 8));
            counts[(k + 8) % 8]++;
        }
        for (int c : counts) {
            assertEquals(1000, c, 120);
        }
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Toy2d.parse("spiral"));
        assertTrue(e.getMessage().contains("swiss-roll, moons, 8gaussians, checkerboard"));
    }
}
