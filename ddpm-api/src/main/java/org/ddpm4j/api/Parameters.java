package org.ddpm4j.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parameters of one plugin instance: a JSON-like map (numbers, booleans, strings, lists,
 * nested maps) with typed, validating getters.
 *
 * <p>Every getter remembers the key it was asked for. After a factory has built its object the
 * caller invokes {@link #requireAllUsed()}: a key that no getter asked for is a typo or an option
 * the plugin does not support, and it fails with the list of keys the plugin does read, instead of
 * being silently ignored.
 */
public final class Parameters {
    private final String scope;
    private final Map<String, Object> values;
    private final Set<String> used;

    private Parameters(String scope, Map<String, Object> values, Set<String> used) {
        this.scope = scope;
        this.values = values;
        this.used = used;
    }

    /** No parameters. */
    public static Parameters empty() {
        return of(Map.of());
    }

    /** Parameters from a map; the map is copied, keeping its order. */
    public static Parameters of(Map<String, ?> values) {
        return new Parameters("", Collections.unmodifiableMap(new LinkedHashMap<>(values)), ConcurrentHashMap.newKeySet());
    }

    /** Parameters from alternating keys and values: {@code of("steps", 50, "eta", 0.0)}. */
    public static Parameters of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keysAndValues must alternate keys and values");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return of(map);
    }

    /**
     * The same values, reported under a qualifier in error messages, e.g. {@code "sampler"} turns
     * {@code eta} into {@code sampler.eta}. Access tracking is shared with this instance.
     */
    public Parameters scoped(String qualifier) {
        return new Parameters(qualify(qualifier), values, used);
    }

    /** A copy with one value added or replaced (access tracking starts afresh). */
    public Parameters with(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>(values);
        map.put(key, value);
        return new Parameters(scope, Collections.unmodifiableMap(map), ConcurrentHashMap.newKeySet());
    }

    /** A copy without the given keys (access tracking starts afresh). */
    public Parameters without(String... keys) {
        Map<String, Object> map = new LinkedHashMap<>(values);
        for (String key : keys) {
            map.remove(key);
        }
        return new Parameters(scope, Collections.unmodifiableMap(map), ConcurrentHashMap.newKeySet());
    }

    /** The qualifier of error messages ({@code ""} when none). */
    public String scope() {
        return scope;
    }

    /** The qualified name of a key, as used in error messages. */
    public String qualify(String key) {
        return scope.isEmpty() ? key : scope + "." + key;
    }

    /**
     * Whether {@code key} holds a non-null value. A pure query: it does not mark the key as used
     * (see {@link #markUsed}), so asking about a key never hides a misspelt one.
     */
    public boolean has(String key) {
        return values.get(key) != null;
    }

    /**
     * Marks keys as read without a typed getter: keys the caller passes on as raw values, or keys
     * a plugin accepts and ignores (e.g. options that diffusers writes into every configuration).
     */
    public void markUsed(String... keys) {
        used.addAll(List.of(keys));
    }

    /** Marks {@code key} as used and tells whether it holds a non-null value: the start of every getter. */
    private boolean read(String key) {
        used.add(key);
        return has(key);
    }

    /** The raw values, unmodifiable, in insertion order. Does not mark anything as used. */
    public Map<String, Object> asMap() {
        return values;
    }

    public double getDouble(String key, double defaultValue) {
        return read(key) ? requireDouble(key) : defaultValue;
    }

    public double requireDouble(String key) {
        Object v = require(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("nan") || t.equals("inf") || t.equals("-inf") || t.equals("infinity") || t.equals("-infinity")) {
                return t.equals("nan") ? Double.NaN : t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new InvalidParameterException(qualify(key), v, "must be a number");
    }

    public int getInt(String key, int defaultValue) {
        return read(key) ? requireInt(key) : defaultValue;
    }

    public int requireInt(String key) {
        long v = requireLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new InvalidParameterException(qualify(key), v, "must be a 32-bit integer");
        }
        return (int) v;
    }

    public long getLong(String key, long defaultValue) {
        return read(key) ? requireLong(key) : defaultValue;
    }

    public long requireLong(String key) {
        Object v = require(key);
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        double d;
        try {
            d = requireDouble(key);
        } catch (InvalidParameterException e) {
            throw new InvalidParameterException(qualify(key), v, "must be an integer");
        }
        if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 9.007199254740992E15) {
            throw new InvalidParameterException(qualify(key), v, "must be an integer");
        }
        return (long) d;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        if (!read(key)) {
            return defaultValue;
        }
        Object v = values.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new InvalidParameterException(qualify(key), v, "must be true or false");
    }

    public String getString(String key, String defaultValue) {
        return read(key) ? requireString(key) : defaultValue;
    }

    public String requireString(String key) {
        Object v = require(key);
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw new InvalidParameterException(qualify(key), v, "must be a string");
    }

    /** A string that must be one of {@code allowed} (compared without regard to case). */
    public String getChoice(String key, String defaultValue, String... allowed) {
        String v = getString(key, defaultValue);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v)) {
                return a;
            }
        }
        throw new InvalidParameterException(qualify(key), v, "must be one of " + String.join(", ", allowed));
    }

    /** A list of numbers. */
    public double[] requireDoubleArray(String key) {
        Object v = require(key);
        if (v instanceof double[] a) {
            return a.clone();
        }
        if (v instanceof float[] a) {
            double[] d = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = a[i];
            }
            return d;
        }
        if (v instanceof int[] a) {
            double[] d = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = a[i];
            }
            return d;
        }
        if (v instanceof List<?> list) {
            double[] d = new double[list.size()];
            for (int i = 0; i < d.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new InvalidParameterException(qualify(key) + "[" + i + "]", list.get(i), "must be a number");
                }
                d[i] = n.doubleValue();
            }
            return d;
        }
        throw new InvalidParameterException(qualify(key), v, "must be a list of numbers");
    }

    /** A list of integers. */
    public int[] requireIntArray(String key) {
        double[] d = requireDoubleArray(key);
        int[] r = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i]) || Math.abs(d[i]) > Integer.MAX_VALUE) {
                throw new InvalidParameterException(qualify(key) + "[" + i + "]", d[i], "must be an integer");
            }
            r[i] = (int) d[i];
        }
        return r;
    }

    /** A list of lists of numbers (rows may not be ragged). */
    public double[][] requireDoubleMatrix(String key) {
        Object v = require(key);
        if (v instanceof double[][] m) {
            double[][] copy = new double[m.length][];
            for (int i = 0; i < m.length; i++) {
                copy[i] = m[i].clone();
            }
            return copy;
        }
        if (!(v instanceof List<?> rows)) {
            throw new InvalidParameterException(qualify(key), v, "must be a list of lists of numbers");
        }
        double[][] m = new double[rows.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = Parameters.of(Map.of("row", rows.get(i))).scoped(qualify(key) + "[" + i + "]").requireDoubleArray("row");
            if (i > 0 && m[i].length != m[0].length) {
                throw new InvalidParameterException(qualify(key) + "[" + i + "]", m[i].length + " entries",
                        "every row must have " + m[0].length + " entries like row 0");
            }
        }
        return m;
    }

    /** A nested object, e.g. {@code "options": {"a": 1}}, scoped under this key. */
    public Parameters getNested(String key) {
        if (!read(key)) {
            return empty().scoped(qualify(key));
        }
        Object v = values.get(key);
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, value) -> copy.put(String.valueOf(k), value));
            return of(copy).scoped(qualify(key));
        }
        throw new InvalidParameterException(qualify(key), v, "must be an object");
    }

    /** Keys present but never asked for by any getter. */
    public Set<String> unusedKeys() {
        Set<String> unused = new TreeSet<>(values.keySet());
        unused.removeAll(used);
        return unused;
    }

    /**
     * Fails if a key was given that no getter asked for: it is either misspelt or not supported by
     * this plugin. The message lists the keys the plugin does read.
     */
    public void requireAllUsed() {
        Set<String> unused = unusedKeys();
        if (!unused.isEmpty()) {
            String unknown = unused.iterator().next();
            List<String> known = new ArrayList<>(new TreeSet<>(used));
            throw new InvalidParameterException(qualify(unknown), values.get(unknown),
                    "unknown parameter" + (scope.isEmpty() ? "" : " of " + scope) + "; supported: "
                            + (known.isEmpty() ? "none" : String.join(", ", known)));
        }
    }

    private Object require(String key) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) {
            throw new InvalidParameterException(qualify(key), "missing", "is required");
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
