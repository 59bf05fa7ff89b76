package org.ddpm4j.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.Plugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One broken plugin jar on the class path is skipped with a warning; everything else works. */
class BrokenPluginTest {

    /** A jar whose service file names the broken plugins of {@link BrokenPlugins} and a class that does not exist. */
    static Path brokenJar(Path dir) throws Exception {
        Path jar = dir.resolve("broken-plugins.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/" + Plugin.class.getName()));
            String names = String.join("\n", BrokenPlugins.ThrowingConstructor.class.getName(),
                    BrokenPlugins.FailingStaticInitializer.class.getName(), "org.ddpm4j.core.plugin.NoSuchPlugin",
                    BrokenPlugins.ThrowingSamplers.class.getName(), BrokenPlugins.NullName.class.getName(),
                    BrokenPlugins.BadCreate.class.getName()) + "\n";
            out.write(names.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void brokenPluginsAreSkippedNamingTheJarAndTheCause(@TempDir Path dir) throws Exception {
        Path jar = brokenJar(dir);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            PluginRegistry registry = PluginRegistry.load(loader);
            Map<String, BrokenPlugin> broken = registry.broken().stream().collect(Collectors.toMap(BrokenPlugin::plugin, b -> b));
            assertEquals(5, broken.size(), registry.broken().toString());
            for (BrokenPlugin b : broken.values()) {
                assertEquals(jar.toString(), b.source(), b.toString());
                assertTrue(b.warning().startsWith("warning: skipped broken plugin " + b.plugin() + " (" + jar + "): "), b.warning());
            }
            assertTrue(broken.get(BrokenPlugins.ThrowingConstructor.class.getName()).cause()
                    .equals("IllegalStateException: constructor boom"), broken.toString());
            assertTrue(broken.get(BrokenPlugins.FailingStaticInitializer.class.getName()).cause()
                    .equals("IllegalStateException: static initializer boom"), broken.toString());
            assertEquals("class not found", broken.get("org.ddpm4j.core.plugin.NoSuchPlugin").cause());
            assertEquals("samplers() threw UnsupportedOperationException: no samplers today",
                    broken.get(BrokenPlugins.ThrowingSamplers.class.getName()).cause());
            assertTrue(broken.get(BrokenPlugins.NullName.class.getName()).cause().matches("its schedule factory .* has no name"),
                    broken.toString());

            // everything else works: the real plugins and the broken jar's healthy plugin
            assertTrue(registry.list(PluginKind.BACKEND).containsKey("java"));
            assertTrue(registry.list(PluginKind.SAMPLER).keySet().containsAll(List.of("test-npe", "test-null")));
            registry.createBackend("java", Parameters.empty()).close();
        }
    }

    @Test
    void aFactoryWhoseCreateThrowsOrReturnsNullIsNamedWithItsPlugin() {
        PluginRegistry registry = PluginRegistry.of(new BrokenPlugins.BadCreate());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> registry.createSampler("test-npe", null, Parameters.empty()));
        assertEquals("plugin " + BrokenPlugins.BadCreate.class.getName() + ": sampler factory 'test-npe' failed in create(): "
                + "NullPointerException: a field was never set", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> registry.createSampler("test-null", null, Parameters.empty()));
        assertEquals("plugin " + BrokenPlugins.BadCreate.class.getName() + ": sampler factory 'test-null' returned null from create()",
                e.getMessage());
    }

    @Test
    void pluginsGivenDirectlyAreValidatedToo() {
        PluginRegistry registry = PluginRegistry.of(new BrokenPlugins.NullName(), new BrokenPlugins.ThrowingSamplers());
        assertEquals(2, registry.broken().size());
    }

}
