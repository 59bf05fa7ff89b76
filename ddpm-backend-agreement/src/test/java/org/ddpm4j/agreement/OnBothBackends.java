package org.ddpm4j.agreement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the agreement tests: both backends, opened once per test class. */
abstract class OnBothBackends {
    static Backends backends;

    @BeforeAll
    static void openBackends() {
        backends = new Backends();
    }

    @AfterAll
    static void closeBackends() {
        backends.close();
    }
}
