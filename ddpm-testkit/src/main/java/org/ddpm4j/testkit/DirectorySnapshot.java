package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The bytes of every file below a directory, to show that an operation that failed (loading a
 * damaged checkpoint, resuming with the wrong model) left the directory exactly as it was.
 */
public final class DirectorySnapshot {
    private final Path dir;
    private final Map<Path, byte[]> files;

    private DirectorySnapshot(Path dir, Map<Path, byte[]> files) {
        this.dir = dir;
        this.files = files;
    }

    public static DirectorySnapshot of(Path dir) {
        Map<Path, byte[]> files = new HashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(p, Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return new DirectorySnapshot(dir, files);
    }

    /** Fails unless the directory holds the same files with the same bytes as when the snapshot was taken. */
    public void assertUnchanged() {
        Map<Path, byte[]> now = of(dir).files;
        assertEquals(files.keySet(), now.keySet(), "the same files in " + dir);
        files.forEach((p, bytes) -> assertArrayEquals(bytes, now.get(p), "unchanged: " + p));
    }
}
