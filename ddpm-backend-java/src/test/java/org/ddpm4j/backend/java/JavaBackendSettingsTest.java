package org.ddpm4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.BackendFactory;
import org.junit.jupiter.api.Test;

class JavaBackendSettingsTest {
    @Test
    void threadsOrADeviceForTheJavaBackendAreNamedAsSuch() {
        BackendFactory factory = new JavaPlugin().backends().get(0);
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> factory.create(Parameters.of("threads", 0).scoped("backend")));
        assertEquals("invalid backend.threads = 0: the java backend has no threads setting (it computes on the calling thread, "
                + "in host memory); drop it or use djl or tf", e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> factory.create(Parameters.of("device", "gpu").scoped("backend")));
        assertEquals("invalid backend.device = 'gpu': the java backend has no device setting (it computes on the calling thread, "
                + "in host memory); drop it or use djl or tf", e.getMessage());
        factory.create(Parameters.empty()).close();
    }
}
