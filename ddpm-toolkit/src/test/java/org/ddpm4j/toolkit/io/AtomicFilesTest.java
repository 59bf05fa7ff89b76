package org.ddpm4j.toolkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @Test
    void writtenFilesAndStagingDirectoriesGetTheUsualPermissionsNotPrivateOnes(@TempDir Path dir) throws IOException {
        Path plain = Files.createFile(dir.resolve("plain.txt"));
        Path written = dir.resolve("written.txt");
        AtomicFiles.writeString(written, "x");
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        Path plainDirectory = Files.createDirectory(dir.resolve("plain"));
        Path staged = AtomicFiles.createStagingDirectory(dir, "model");
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plainDirectory)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(staged)));
        assertEquals(true, staged.getFileName().toString().startsWith(".model."), "hidden: " + staged);
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("card.json");
        AtomicFiles.writeString(target, "good");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half".getBytes());
            throw new IllegalStateException("crash while writing");
        }));
        assertEquals("good", Files.readString(target));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }
}
