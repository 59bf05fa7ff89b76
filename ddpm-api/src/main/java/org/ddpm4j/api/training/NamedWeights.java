package org.ddpm4j.api.training;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;

/**
 * A network's weights read one tensor at a time by name (the names of a {@link Trainable}'s
 * {@code weights/*} state without the prefix), for example from a memory-mapped file: a backend
 * that builds a network with them copies each tensor to its own memory and drops it, so the
 * weights never sit on the Java heap all at once.
 */
public interface NamedWeights {

    /** The names of the tensors. */
    Set<String> names();

    /** The tensor {@code name}, read now (the caller keeps it no longer than it needs). */
    HostArray read(String name);

    /** Refuses names other than exactly {@code expected}, naming the missing and the unexpected ones. */
    default void requireNames(Collection<String> expected) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(names());
        Set<String> unexpected = new TreeSet<>(names());
        unexpected.removeAll(expected);
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new InvalidParameterException("weights", names().size() + " tensors", "missing " + missing + ", unexpected " + unexpected);
        }
    }
}
