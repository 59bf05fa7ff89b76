package org.ddpm4j.toolkit.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.ddpm4j.api.InvalidParameterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputPathsTest {

    @Test
    void aWrongExtensionADirectoryOrAReadOnlyFolderFailBeforeAnyWork(@TempDir Path dir) throws Exception {
        String m = assertThrows(InvalidParameterException.class, () -> OutputPaths.checkFile("--grid", dir.resolve("out.txt"), ".png"))
                .getMessage();
        assertTrue(m.equals("invalid --grid = '" + dir.resolve("out.txt") + "': must be a .png file"), m);
        m = assertThrows(InvalidParameterException.class, () -> OutputPaths.checkFile("--out", dir, ".npy")).getMessage();
        assertTrue(m.contains("must be a .npy file"), m);
        Path folder = Files.createDirectory(dir.resolve("x.npy"));
        m = assertThrows(InvalidParameterException.class, () -> OutputPaths.checkFile("--out", folder, ".npy")).getMessage();
        assertTrue(m.contains("is a directory"), m);
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            if (!Files.isWritable(readOnly)) { // root may write anyway
                m = assertThrows(InvalidParameterException.class,
                        () -> OutputPaths.checkFile("--out", readOnly.resolve("deeper/x.npy"), ".npy")).getMessage();
                assertTrue(m.contains(readOnly + " is not writable"), m);
            }
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        OutputPaths.checkFile("--out", dir.resolve("new/deeper/x.npy"), ".npy");
        Path file = Files.writeString(dir.resolve("file"), "x");
        m = assertThrows(InvalidParameterException.class, () -> OutputPaths.checkDirectory("--out", file)).getMessage();
        assertTrue(m.contains("is a file"), m);
    }

    @Test
    void anIoErrorKeepsTheOperatingSystemsReason(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(folder.resolve("child"), "x");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeString(folder, "text"));
        assertTrue(e.getMessage().startsWith("cannot write " + folder + ": ") && e.getMessage().length() > ("cannot write " + folder + ": ").length(),
                e.getMessage());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeString(file.resolve("below"), "text"));
        assertTrue(e.getMessage().contains("Not a directory") || e.getMessage().contains("already exists"), e.getMessage());
    }
}
