package org.ddpm4j.api;

/**
 * Argument checks that fail with an {@link InvalidParameterException} naming the parameter, the
 * value and the allowed range. NaN fails every range check.
 */
public final class Checks {
    private Checks() {
    }

    /** Requires {@code lo < value < hi}. */
    public static double open(String name, double value, double lo, double hi) {
        if (!(value > lo && value < hi)) {
            throw new InvalidParameterException(name, value, "must lie in the open interval (" + lo + ", " + hi + ")");
        }
        return value;
    }

    /** Requires {@code lo <= value <= hi}. */
    public static double closed(String name, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi)) {
            throw new InvalidParameterException(name, value, "must lie in [" + lo + ", " + hi + "]");
        }
        return value;
    }

    /** Requires {@code lo <= value <= hi} for an integer. */
    public static int closed(String name, int value, int lo, int hi) {
        if (value < lo || value > hi) {
            throw new InvalidParameterException(name, value, "must be an integer in [" + lo + ", " + hi + "]");
        }
        return value;
    }

    /** Requires {@code value > 0} and finite. */
    public static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InvalidParameterException(name, value, "must be a finite number > 0");
        }
        return value;
    }

    /** Requires {@code value >= 0} and finite. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new InvalidParameterException(name, value, "must be a finite number >= 0");
        }
        return value;
    }

    /** Requires {@code value >= min}. */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new InvalidParameterException(name, value, "must be an integer >= " + min);
        }
        return value;
    }

    /** Requires a finite number. */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new InvalidParameterException(name, value, "must be a finite number");
        }
        return value;
    }

    /** Requires {@code first <= second}, naming both. */
    public static void ordered(String firstName, double first, String secondName, double second) {
        if (!(first <= second)) {
            throw new InvalidParameterException(firstName, first, "must not exceed " + secondName + " = " + second);
        }
    }
}
