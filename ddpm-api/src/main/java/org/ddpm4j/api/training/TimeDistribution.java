package org.ddpm4j.api.training;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.tensor.GaussianNoise;

/**
 * How the flow-matching objective draws the path time {@code s in (0, 1)} of each training sample
 * (Esser et al. 2024, Stable Diffusion 3, section 3.1):
 * <ul>
 *   <li>{@code uniform}: {@code s ~ U(0, 1)} (Lipman et al.; Liu et al.);</li>
 *   <li>{@code logit-normal} ({@code m}, {@code s}): {@code s = sigmoid(m + s z)}, {@code z ~ N(0, 1)}:
 *       more weight on the middle of the path (SD3's choice: m = 0, s = 1);</li>
 *   <li>{@code mode} ({@code scale}): {@code s = 1 - u - scale (cos^2(pi u / 2) - 1 + u)}, {@code u ~ U(0, 1)},
 *       {@code scale in [-1, 2/(pi - 2)]}; 0 is uniform.</li>
 * </ul>
 */
public interface TimeDistribution {

    /** A path time in {@code (0, 1)}. */
    double sample(GaussianNoise noise);

    /** The name and parameters that rebuild it ({@link #read}), as the model card records them. */
    Map<String, Object> describe();

    TimeDistribution UNIFORM = of(Map.of("type", "uniform"), noise -> noise.nextUniform());

    static TimeDistribution logitNormal(double m, double s) {
        Checks.finite("m", m);
        Checks.positive("s", s);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", "logit-normal");
        d.put("m", m);
        d.put("s", s);
        return of(d, noise -> 1 / (1 + Math.exp(-(m + s * noise.next()))));
    }

    static TimeDistribution mode(double scale) {
        Checks.closed("scale", scale, -1, 2 / (Math.PI - 2));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", "mode");
        d.put("scale", scale);
        return of(d, noise -> {
            double u = noise.nextUniform();
            double c = Math.cos(Math.PI * u / 2);
            return 1 - u - scale * (c * c - 1 + u);
        });
    }

    /** Reads {@code type} (uniform | logit-normal | mode) and its parameters. */
    static TimeDistribution read(Parameters p) {
        String type = p.getChoice("type", "uniform", "uniform", "logit-normal", "mode");
        return switch (type) {
            case "logit-normal" -> logitNormal(Checks.finite(p.qualify("m"), p.getDouble("m", 0)), Checks.positive(p.qualify("s"), p.getDouble("s", 1)));
            case "mode" -> {
                double scale = p.getDouble("scale", 1.29);
                if (!(scale >= -1 && scale <= 2 / (Math.PI - 2))) {
                    throw new InvalidParameterException(p.qualify("scale"), scale, "must be in [-1, " + 2 / (Math.PI - 2) + "]");
                }
                yield mode(scale);
            }
            default -> UNIFORM;
        };
    }

    private static TimeDistribution of(Map<String, Object> description, java.util.function.ToDoubleFunction<GaussianNoise> draw) {
        Map<String, Object> d = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(description));
        return new TimeDistribution() {
            @Override
            public double sample(GaussianNoise noise) {
                return draw.applyAsDouble(noise);
            }

            @Override
            public Map<String, Object> describe() {
                return d;
            }

            @Override
            public String toString() {
                return d.toString();
            }
        };
    }
}
