package org.ddpm4j.backend.djl.nn;

import org.ddpm4j.api.InvalidParameterException;

/** Checks of hyper-parameters shared by the architectures. */
final class NetworkChecks {
    private NetworkChecks() {
    }

    /** A sinusoidal embedding size: even and at least 4 (the frequencies divide by {@code half - 1}). */
    static int timeEmbedding(String name, int size) {
        if (size < 4 || size % 2 != 0) {
            throw new InvalidParameterException(name, size, "must be an even integer >= 4");
        }
        return size;
    }

    /** A dropout rate in [0, 1). */
    static double dropout(String name, double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new InvalidParameterException(name, rate, "must lie in [0, 1)");
        }
        return rate;
    }

    /** Requires {@code divisor} to divide {@code value}. */
    static void divides(String name, int divisor, String what, int value) {
        if (value % divisor != 0) {
            throw new InvalidParameterException(name, divisor, "must divide " + what + " = " + value);
        }
    }

    /** Only classifiers have penultimate features (the input of their head). */
    static void requireClassifier(boolean classifier) {
        if (!classifier) {
            throw new UnsupportedOperationException("a denoiser has no classifier features");
        }
    }
}
