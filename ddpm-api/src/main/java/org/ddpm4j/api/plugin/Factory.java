package org.ddpm4j.api.plugin;

import java.util.List;
import java.util.Map;

/** What every plugin factory has: a unique name per kind and a one-line description. */
public interface Factory {

    /** The name users write in configurations, e.g. {@code cosine} or {@code dpmsolver++}. */
    String name();

    /** One line: what it is, with the paper it comes from. */
    String description();

    /**
     * Representative configurations, each a complete set of parameters this factory accepts (e.g. every
     * solver order of a sampler, a schedule with zero terminal SNR, a mixture for an analytic denoiser):
     * the testkit's contracts run each one, and users can start from them. By default the defaults
     * alone; a factory with required parameters must override it.
     */
    default List<Map<String, Object>> examples() {
        return List.of(Map.of());
    }
}
