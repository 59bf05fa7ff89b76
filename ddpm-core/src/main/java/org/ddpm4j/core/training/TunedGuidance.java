package org.ddpm4j.core.training;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The guidance a step schedule of a model card was tuned under ({@code guidance} of a
 * {@code step_schedules} entry: the plugin's {@code type} and its parameters; absent for unguided
 * sampling), and when a run's guidance is the same. The thresholding keys that {@code tune-steps}
 * copies from the sampler into the guidance are left out: the sampler parameters are matched on
 * their own. A missing {@code scale} means the plugin's default on both sides, so it matches only a
 * missing {@code scale}. Numbers compare by value ({@code 3} and {@code 3.0} are the same scale).
 */
public final class TunedGuidance {
    private static final Set<String> SAMPLER_KEYS = Set.of("thresholding", "dynamic_thresholding_ratio", "sample_max_value");

    private TunedGuidance() {
    }

    /** Whether the guidances {@code a} and {@code b} (maps with {@code type}, or null for none) are the same. */
    public static boolean same(Object a, Object b) {
        return sameValue(normal(a), normal(b));
    }

    /** {@code none}, or the type and parameters, e.g. {@code cfg {scale=3.0}}. */
    public static String describe(Object guidance) {
        Map<String, Object> g = normal(guidance);
        if (g.isEmpty()) {
            return "none";
        }
        Map<String, Object> rest = new TreeMap<>(g);
        Object type = rest.remove("type");
        return type + " " + rest;
    }

    private static Map<String, Object> normal(Object guidance) {
        Map<String, Object> g = new TreeMap<>();
        if (guidance instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (!SAMPLER_KEYS.contains(String.valueOf(k))) {
                    g.put(String.valueOf(k), v);
                }
            });
        }
        return g;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            return x.keySet().equals(y.keySet()) && x.keySet().stream().allMatch(k -> sameValue(x.get(k), y.get(k)));
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!sameValue(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        Double u = number(a);
        Double v = number(b);
        if (u != null && v != null) {
            return u.doubleValue() == v.doubleValue();
        }
        return String.valueOf(a).equals(String.valueOf(b));
    }

    private static Double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }
}
