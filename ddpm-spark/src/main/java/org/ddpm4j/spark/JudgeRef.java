package org.ddpm4j.spark;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;

/**
 * The evaluation classifier every executor loads to judge samples: a classifier of clean data
 * ({@code ddpm train --model classifier --clean}) named {@code checkpoint:DIR}, readable by every
 * executor, on a backend (default: djl with 1 thread, as the CLI runs it).
 */
public record JudgeRef(String classifier, String backend, Map<String, Object> backendParameters) implements Serializable {
    private static final long serialVersionUID = 1L;

    public JudgeRef {
        if (classifier == null || !classifier.startsWith("checkpoint:")) {
            throw new InvalidParameterException("--classifier", classifier, "must be checkpoint:DIR, an evaluation classifier of 'ddpm train "
                    + "--model classifier --clean'");
        }
        if (backend == null) {
            backend = "djl";
        }
        Map<String, Object> p = new LinkedHashMap<>(backendParameters == null ? Map.of() : backendParameters);
        if (backend.equals("djl") || backend.equals("tf")) {
            p.putIfAbsent("threads", 1);
        }
        backendParameters = Collections.unmodifiableMap(p);
    }

    /** {@code checkpoint:DIR} on djl. */
    public static JudgeRef of(String classifier) {
        return new JudgeRef(classifier, null, Map.of());
    }
}
