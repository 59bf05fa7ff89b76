package org.ddpm4j.toolkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.ddpm4j.api.InvalidParameterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {

    @Test
    void aSecondWriterFailsAtOnceNamingTheHoldersPid(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        try (DirectoryLock first = DirectoryLock.acquire("out", run)) {
            assertEquals(ProcessHandle.current().pid() + "", Files.readString(run.resolve(DirectoryLock.FILE)).trim());
            InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> DirectoryLock.acquire("out", run));
            assertTrue(e.getMessage().startsWith("invalid out = '" + run + "': is in use by another run (process "
                    + ProcessHandle.current().pid() + " holds"), e.getMessage());
        }
        // released: the next writer gets it, although the lock file is still there
        assertTrue(Files.exists(run.resolve(DirectoryLock.FILE)));
        DirectoryLock.acquire("out", run).close();
    }

    @Test
    void aLockHeldThroughAnotherChannelBlocksAndTheFileAloneDoesNot(@TempDir Path dir) throws Exception {
        Path lockFile = dir.resolve(DirectoryLock.FILE);
        Files.writeString(lockFile, "12345\n"); // left by a killed run: its existence means nothing
        DirectoryLock.acquire("out", dir).close();
        try (FileChannel other = FileChannel.open(lockFile, StandardOpenOption.WRITE); FileLock held = other.lock()) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> DirectoryLock.acquire("out", dir));
            assertTrue(e.getMessage().contains("in use by another run"), e.getMessage());
        }
    }
}
