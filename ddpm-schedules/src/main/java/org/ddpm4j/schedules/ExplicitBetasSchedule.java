package org.ddpm4j.schedules;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;

/** Betas given one by one by the user ({@code trained_betas}, as in diffusers); T is their number. */
public final class ExplicitBetasSchedule {
    public static final String NAME = "betas";

    private ExplicitBetasSchedule() {
    }

    public static TabulatedSchedule create(Parameters p) {
        double[] betas = p.requireDoubleArray("trained_betas");
        if (betas.length == 0) {
            throw new InvalidParameterException(p.qualify("trained_betas"), "[]", "needs at least one beta");
        }
        if (p.has("num_train_timesteps") && TabulatedSchedule.trainSteps(p) != betas.length) {
            throw new InvalidParameterException(p.qualify("num_train_timesteps"), TabulatedSchedule.trainSteps(p),
                    "must equal the number of trained_betas (" + betas.length + ")");
        }
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("trained_betas", Arrays.stream(betas).boxed().toList());
        return TabulatedSchedule.of(NAME, p, betas, own);
    }
}
