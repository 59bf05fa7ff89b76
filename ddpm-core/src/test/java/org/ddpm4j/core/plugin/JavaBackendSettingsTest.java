package org.ddpm4j.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.junit.jupiter.api.Test;

class JavaBackendSettingsTest {
    @Test
    void threadsOrADeviceForTheJavaBackendAreNamedAsSuch() {
        PluginRegistry registry = PluginRegistry.load();
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> registry.createBackend("java", Parameters.of("threads", 0)));
        assertEquals("invalid backend.threads = 0: the java backend has no threads setting (it computes on the calling thread, "
                + "in host memory); drop it or use djl or tf", e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> registry.createBackend("java", Parameters.of("device", "gpu")));
        assertEquals("invalid backend.device = 'gpu': the java backend has no device setting (it computes on the calling thread, "
                + "in host memory); drop it or use djl or tf", e.getMessage());
    }
}
