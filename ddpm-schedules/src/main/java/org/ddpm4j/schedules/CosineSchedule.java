package org.ddpm4j.schedules;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;

/**
 * Nichol &amp; Dhariwal (2021), eq. 17: {@code alphaBar(t) = f(t) / f(0)} with
 * {@code f(t) = cos^2((t / T + s) / (1 + s) * pi / 2)}, {@code s = 0.008}; betas
 * {@code beta_t = min(1 - alphaBar(t+1) / alphaBar(t), max_beta)} with {@code max_beta = 0.999} to
 * avoid the singularity at {@code t = T} (diffusers' {@code squaredcos_cap_v2}).
 */
public final class CosineSchedule {
    public static final String NAME = "cosine";

    private CosineSchedule() {
    }

    public static TabulatedSchedule create(Parameters p) {
        int steps = TabulatedSchedule.trainSteps(p);
        double s = Checks.nonNegative(p.qualify("s"), p.getDouble("s", 0.008));
        double maxBeta = Checks.open(p.qualify("max_beta"), p.getDouble("max_beta", 0.999), 0, 1);
        double[] betas = new double[steps];
        for (int i = 0; i < steps; i++) {
            double t1 = (double) i / steps;
            double t2 = (double) (i + 1) / steps;
            betas[i] = Math.min(1 - f(t2, s) / f(t1, s), maxBeta);
        }
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("s", s);
        own.put("max_beta", maxBeta);
        return TabulatedSchedule.of(NAME, p, betas, own);
    }

    private static double f(double t, double s) {
        double c = Math.cos((t + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }
}
