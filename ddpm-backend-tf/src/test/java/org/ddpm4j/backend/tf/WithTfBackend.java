package org.ddpm4j.backend.tf;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Tests sharing one backend with the default, deterministic settings, closed after the class. */
abstract class WithTfBackend {
    static TfBackend backend;

    @BeforeAll
    static void openBackend() {
        backend = new TfBackend();
    }

    @AfterAll
    static void closeBackend() {
        backend.close();
    }
}
