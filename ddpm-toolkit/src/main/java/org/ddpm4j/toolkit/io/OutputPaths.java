package org.ddpm4j.toolkit.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.ddpm4j.api.InvalidParameterException;

/**
 * Checks of output paths before the work that produces them starts, so that a misspelt extension,
 * a directory in the way or a read-only folder fails at once rather than after minutes of sampling.
 */
public final class OutputPaths {
    private OutputPaths() {
    }

    /**
     * Requires {@code file} to end in one of {@code extensions} (e.g. {@code ".png"}; none: any),
     * not to be a directory, and its nearest existing ancestor to be a writable directory.
     */
    public static Path checkFile(String parameter, Path file, String... extensions) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (extensions.length > 0 && Arrays.stream(extensions).noneMatch(name::endsWith)) {
            throw new InvalidParameterException(parameter, file.toString(), "must be a " + String.join(" or ", extensions) + " file");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidParameterException(parameter, file.toString(), "is a directory; name a file");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new InvalidParameterException(parameter, file.toString(), "exists and is not writable (permission denied)");
        }
        checkParent(parameter, file.toAbsolutePath().getParent());
        return file;
    }

    /** Requires {@code dir} to be a directory (or absent) whose nearest existing ancestor is writable. */
    public static Path checkDirectory(String parameter, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidParameterException(parameter, dir.toString(), "is a file; name a directory");
        }
        checkParent(parameter, dir.toAbsolutePath());
        return dir;
    }

    private static void checkParent(String parameter, Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new InvalidParameterException(parameter, dir.toString(), existing + " is a file, not a directory");
        }
        if (!Files.isWritable(existing)) {
            throw new InvalidParameterException(parameter, dir.toString(), "cannot be written: " + existing
                    + " is not writable (permission denied or a read-only file system)");
        }
    }
}
