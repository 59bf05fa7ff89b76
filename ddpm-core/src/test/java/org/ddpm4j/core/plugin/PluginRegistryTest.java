package org.ddpm4j.core.plugin;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddpm4j.api.plugin.BackendFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.backend.java.JavaPlugin;
import org.ddpm4j.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {

    @Test
    void listsEveryKindByName() {
        PluginRegistry registry = PluginRegistry.load();
        assertTrue(registry.list(PluginKind.BACKEND).containsKey("java"));
        assertTrue(registry.list(PluginKind.DENOISER).keySet().containsAll(List.of("gmm", "points")));
    }

    @Test
    void twoPluginsClaimingOneNameIsAnError() {
        Plugin impostor = new Plugin() {
            @Override
            public List<BackendFactory> backends() {
                return List.of(BackendFactory.of("java", "another java backend", p -> new JavaBackend()));
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginRegistry.of(new JavaPlugin(), impostor));
        assertTrue(e.getMessage().contains("backend 'java' is provided twice"), e.getMessage());
    }

    @Test
    void unknownNamesListTheKnownOnesOfThatKind() {
        UnknownPluginException e = assertThrows(UnknownPluginException.class, () -> PluginRegistry.load().backend("cuda"));
        assertTrue(e.getMessage().contains("unknown backend") && e.getMessage().contains("java"), e.getMessage());
    }
}
