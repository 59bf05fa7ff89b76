package org.ddpm4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny diffusers {@code UNet2DModel} folders with the outputs diffusers computed for them
 * ({@code tools/diffusers-reference/make_unet_fixtures.py}): {@code attn}, {@code classes},
 * {@code f16}, {@code legacy} (subfolder layout) and {@code cifar-flat} (flat layout). Each has
 * {@code expected/forward_{x,t,labels,out}.npy} and {@code expected/ddim_{noise,out}.npy}.
 */
public final class DiffusersUNetFixtures {
    public static final List<String> CASES = List.of("attn", "classes", "f16", "legacy", "cifar-flat");
    private static final String ROOT = "/diffusers-unet/";

    private DiffusersUNetFixtures() {
    }

    /** Copies the folder of {@code name} into {@code dir} (it works from a jar too) and returns it. */
    public static Path copy(String name, Path dir) {
        try (InputStream index = resource("index.txt")) {
            Path target = dir.resolve(name);
            for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(name + "/")) {
                    Path out = dir.resolve(line);
                    Files.createDirectories(out.getParent());
                    try (InputStream in = resource(line)) {
                        Files.copy(in, out);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) throws IOException {
        InputStream in = DiffusersUNetFixtures.class.getResourceAsStream(ROOT + path);
        if (in == null) {
            throw new IOException("missing test resource " + ROOT + path);
        }
        return in;
    }
}
