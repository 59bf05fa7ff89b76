package org.ddpm4j.toolkit.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.ddpm4j.api.InvalidParameterException;

/**
 * The exclusive right to write into a directory, for as long as a run lasts: an operating-system
 * lock ({@link FileChannel#tryLock()}) on the file {@code .lock} inside it. The OS releases the lock
 * when the holder exits, however it exits ({@code kill -9} included), so a stale lock never blocks
 * the next run; the file itself may stay behind and means nothing without the lock. The holder
 * writes its process id into the file, so that a second writer can say who holds the directory.
 */
public final class DirectoryLock implements AutoCloseable {
    /** The name of the lock file inside the locked directory. */
    public static final String FILE = ".lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (created if absent) or fails at once, naming the holder's process id.
     *
     * @param parameter the option naming the directory, for the error message (e.g. {@code out})
     */
    public static DirectoryLock acquire(String parameter, Path dir) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already
            }
            if (lock == null) {
                String holder = holder(file);
                channel.close();
                throw new InvalidParameterException(parameter, dir.toString(), "is in use by another run (process " + holder
                        + " holds " + file + "); wait for it to finish or choose another directory");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DirectoryLock(dir, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + dir + ": " + IoErrors.describe(e), e);
        }
    }

    /** The process id written by the holder, or "unknown" while it is still writing it. */
    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.matches("\\d+") ? pid : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    public Path dir() {
        return dir;
    }

    /** Releases the lock (the file stays; it means nothing unlocked). */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the channel below releases it anyway
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written through it that matters
            }
        }
    }
}
