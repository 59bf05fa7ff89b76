package org.ddpm4j.api.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicInteger;
import org.ddpm4j.api.Parameters;
import org.junit.jupiter.api.Test;

class BackendFactoryTest {
    @Test
    void preloadRunsTheGivenLoaderAndNeverCreatesABackend() {
        AtomicInteger loads = new AtomicInteger();
        AtomicInteger creates = new AtomicInteger();
        BackendFactory f = BackendFactory.of("b", "test", p -> {
            creates.incrementAndGet();
            return null;
        }, loads::incrementAndGet);
        f.preload();
        f.preload();
        assertEquals(2, loads.get());
        assertEquals(0, creates.get());
        assertNull(f.create(Parameters.empty()));
        assertEquals(1, creates.get());
    }

    @Test
    void withoutALoaderPreloadDoesNothing() {
        AtomicInteger creates = new AtomicInteger();
        BackendFactory f = BackendFactory.of("b", "test", p -> {
            creates.incrementAndGet();
            return null;
        });
        f.preload();
        assertEquals(0, creates.get());
    }
}
