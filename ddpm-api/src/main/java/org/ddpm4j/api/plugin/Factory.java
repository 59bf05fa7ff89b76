package org.ddpm4j.api.plugin;

/** What every plugin factory has: a unique name per kind and a one-line description. */
public interface Factory {

    /** The name users write in configurations, e.g. {@code cosine} or {@code dpmsolver++}. */
    String name();

    /** One line: what it is, with the paper it comes from. */
    String description();
}
