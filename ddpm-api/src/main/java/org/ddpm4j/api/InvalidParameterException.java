package org.ddpm4j.api;

/**
 * A parameter has a value outside what is allowed. The message always names the parameter, the
 * value that was given and what is allowed, so that a user can fix the configuration without
 * reading code.
 */
public class InvalidParameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String parameter;
    private final String value;
    private final String allowed;

    public InvalidParameterException(String parameter, Object value, String allowed) {
        super("invalid " + parameter + " = " + render(value) + ": " + allowed);
        this.parameter = parameter;
        this.value = render(value);
        this.allowed = allowed;
    }

    /** The (possibly qualified) name of the offending parameter, e.g. {@code sampler.eta}. */
    public String parameter() {
        return parameter;
    }

    /** The offending value as text. */
    public String value() {
        return value;
    }

    /** What would have been accepted. */
    public String allowed() {
        return allowed;
    }

    private static String render(Object value) {
        if (value instanceof double[] a) {
            return java.util.Arrays.toString(a);
        }
        if (value instanceof int[] a) {
            return java.util.Arrays.toString(a);
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return String.valueOf(value);
    }
}
