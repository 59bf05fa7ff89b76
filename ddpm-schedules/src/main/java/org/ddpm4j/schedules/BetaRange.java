package org.ddpm4j.schedules;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;

/** The {@code beta_start} / {@code beta_end} pair shared by the linear-like families. */
record BetaRange(double start, double end) {

    static BetaRange read(Parameters p, double defaultStart, double defaultEnd) {
        double start = Checks.open(p.qualify("beta_start"), p.getDouble("beta_start", defaultStart), 0, 1);
        double end = Checks.open(p.qualify("beta_end"), p.getDouble("beta_end", defaultEnd), 0, 1);
        Checks.ordered(p.qualify("beta_start"), start, p.qualify("beta_end"), end);
        return new BetaRange(start, end);
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("beta_start", start);
        m.put("beta_end", end);
        return m;
    }
}
