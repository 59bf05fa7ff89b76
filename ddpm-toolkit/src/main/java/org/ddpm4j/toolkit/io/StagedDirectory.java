package org.ddpm4j.toolkit.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.ddpm4j.api.InvalidParameterException;

/**
 * A set of outputs that become visible together: written into a hidden staging directory beside
 * the target ({@code .NAME.partial}), then swapped in place of the target with two renames
 * ({@link AtomicFiles#replaceDirectory}). A run killed while writing leaves the previous run's
 * complete set (and a partial staging directory that the next run clears); never a new file beside
 * old ones. The target is {@linkplain DirectoryLock locked} for the whole run, and so is the
 * staged directory from the swap on, so a second writer fails at once.
 *
 * <p>Because the swap replaces the whole directory, the target may hold only what an earlier run
 * put there: the entries of its manifest ({@value #MANIFEST}, written with every set), or for a
 * directory without one, the names the caller expects. Anything else is refused before work starts.
 */
public final class StagedDirectory implements AutoCloseable {
    /** The names of the entries of the set, one a line, written into the set. */
    public static final String MANIFEST = ".outputs";

    private final String parameter;
    private final Path target;
    private final Path staging;
    private final DirectoryLock targetLock;
    private final boolean createdTarget;
    private DirectoryLock stagingLock;
    private boolean committed;

    private StagedDirectory(String parameter, Path target, Path staging, DirectoryLock targetLock, boolean createdTarget) {
        this.parameter = parameter;
        this.target = target;
        this.staging = staging;
        this.targetLock = targetLock;
        this.createdTarget = createdTarget;
    }

    /**
     * Locks {@code target} (created if absent), checks that it holds only outputs of an earlier
     * run ({@code expected} when it has no manifest) and prepares an empty staging directory.
     */
    public static StagedDirectory begin(String parameter, Path target, Set<String> expected) {
        OutputPaths.checkDirectory(parameter, target);
        boolean created = !Files.exists(target);
        DirectoryLock lock = DirectoryLock.acquire(parameter, target);
        try {
            Set<String> allowed = allowed(target, expected);
            Set<String> foreign = new TreeSet<>(entries(target));
            foreign.removeAll(allowed);
            foreign.removeAll(Set.of(DirectoryLock.FILE, MANIFEST));
            if (!foreign.isEmpty()) {
                throw new InvalidParameterException(parameter, target.toString(), "holds " + String.join(", ", foreign)
                        + ", which an earlier run did not write; the run replaces the whole directory, so remove them or choose another directory");
            }
            Path staging = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".partial");
            AtomicFiles.deleteTree(staging); // left by a run killed while writing
            Files.createDirectories(staging);
            return new StagedDirectory(parameter, target, staging, lock, created);
        } catch (IOException e) {
            lock.close();
            throw new UncheckedIOException("cannot prepare " + target + ": " + IoErrors.describe(e), e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static Set<String> allowed(Path target, Set<String> expected) throws IOException {
        Path manifest = target.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return expected;
        }
        Set<String> names = new HashSet<>(expected);
        Files.readAllLines(manifest, StandardCharsets.UTF_8).stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        return names;
    }

    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Where to write the outputs. */
    public Path dir() {
        return staging;
    }

    /** The directory the outputs will appear in. */
    public Path target() {
        return target;
    }

    /** Writes the manifest and swaps the staged set in place of the target. */
    public void commit() {
        try {
            AtomicFiles.writeString(staging.resolve(MANIFEST), String.join("\n", new TreeSet<>(entries(staging))) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + staging + ": " + IoErrors.describe(e), e);
        }
        stagingLock = DirectoryLock.acquire(parameter, staging); // it becomes the target: keep it locked until the run ends
        AtomicFiles.replaceDirectory(staging, target);
        committed = true;
    }

    /** Releases the locks; a set that was never committed is deleted, and so is a target this run created. */
    @Override
    public void close() {
        if (!committed) {
            try {
                AtomicFiles.deleteTree(staging);
                if (createdTarget) {
                    AtomicFiles.deleteTree(target); // holds only the lock file: a run that wrote nothing leaves nothing
                }
            } catch (IOException ignored) {
                // the next run clears it
            }
        }
        if (stagingLock != null) {
            stagingLock.close();
        }
        targetLock.close();
    }
}
