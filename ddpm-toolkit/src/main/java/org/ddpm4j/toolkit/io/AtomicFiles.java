package org.ddpm4j.toolkit.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writing files so that a crash never leaves a half-written file in place of a good one: write a
 * temporary file in the same directory, flush it to disk, then rename it over the target.
 */
public final class AtomicFiles {

    /** Writes the content produced by {@code writer}. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, Writer writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = hiddenSibling(dir, target.getFileName().toString());
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            move(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + IoErrors.describe(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and harmless
                }
            }
        }
    }

    /**
     * A new, empty hidden directory in {@code parent} for staging {@code name}. Unlike
     * {@link Files#createTempDirectory}, which makes it private (0700), it gets the usual permissions
     * of the user's umask, as a directory made by the program's user would.
     */
    public static Path createStagingDirectory(Path parent, String name) throws IOException {
        Files.createDirectories(parent);
        return Files.createDirectory(hiddenSibling(parent, name));
    }

    /** A name for a hidden temporary next to {@code name} that no other writer picks. */
    private static Path hiddenSibling(Path dir, String name) {
        return dir.resolve("." + name + "." + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
    }

    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Renames {@code source} to {@code target}, atomically where the file system allows. */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Puts the finished directory {@code staged} in place of {@code target} (which may be absent):
     * the old target is renamed aside, the staged one renamed in, then the old one deleted. An
     * interruption leaves either the old or the new directory at {@code target}, never a mix; the
     * old one may remain beside it as {@code .NAME.old}.
     */
    public static void replaceDirectory(Path staged, Path target) {
        Path aside = target.resolveSibling("." + target.getFileName() + ".old");
        try {
            deleteTree(aside);
            if (Files.exists(target)) {
                move(target, aside);
            }
            move(staged, target);
            deleteTree(aside);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + staged + " to " + target + ": " + IoErrors.describe(e), e);
        }
    }

    /** Deletes {@code p} and everything below it; nothing when it does not exist. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
