package org.ddpm4j.core.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What a pipeline must release beyond its components: the owners of models that callers load
 * themselves ({@link PipelineParts.Loader}), e.g. a checkpoint's network behind its EMA view. Each
 * object is closed once, newest first, however many times it is registered or also bound.
 */
final class Owned {
    private final List<AutoCloseable> owners = new ArrayList<>();
    private AutoCloseable backend;

    /** A loaded component, kept to be released if the build fails later (a closeable one frees its own memory). */
    synchronized <T> T adopt(T component) {
        if (component instanceof AutoCloseable c) {
            owners.add(c);
        }
        return component;
    }

    /** The backend, once built: released last, and also when building the pipeline fails. */
    synchronized void backend(AutoCloseable b) {
        this.backend = b;
    }

    /** Releases what a failed build had already created: the owners, then the backend. */
    synchronized void closeAfterFailure() {
        try {
            close();
        } catch (RuntimeException ignored) {
            // the build's own error is the one to report
        }
        if (backend != null) {
            try {
                backend.close();
            } catch (Exception ignored) {
                // as above
            }
        }
    }

    synchronized void add(AutoCloseable owner) {
        owners.add(owner);
    }

    /** Closes the owners, then {@code components} (those that are {@link AutoCloseable}), each distinct object once. */
    synchronized void close(Object... components) {
        Set<Object> closed = Collections.newSetFromMap(new IdentityHashMap<>());
        RuntimeException failure = null;
        List<Object> all = new ArrayList<>(owners);
        Collections.reverse(all);
        all.addAll(java.util.Arrays.asList(components));
        for (Object o : all) {
            if (o instanceof AutoCloseable c && closed.add(o)) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = new IllegalStateException("cannot release " + o, e);
                    }
                }
            }
        }
        owners.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
