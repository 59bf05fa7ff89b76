package org.ddpm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ComparisonTableTest {

    @Test
    void oneColumnPerBackendInFirstSeenOrderAndADashForWhatOneDidNotMeasure() {
        ComparisonTable table = new ComparisonTable();
        table.put("overhead", "djl", "1.01");
        table.put("training", "djl", "100");
        table.put("overhead", "tf", "1.02");
        assertEquals("""
                | measurement | djl | tf |
                |---|---|---|
                | overhead | 1.01 | 1.02 |
                | training | 100 | - |
                """, table.toMarkdown());
    }
}
