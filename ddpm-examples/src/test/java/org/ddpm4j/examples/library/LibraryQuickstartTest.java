package org.ddpm4j.examples.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's library example runs and is what the README shows: the first program and the mixture
 * file of "Using the library" are those of this module, line for line.
 */
class LibraryQuickstartTest {
    private static final Path README = Path.of("../README.md");
    private static final Path SOURCE = Path.of("src/main/java/org/ddpm4j/examples/library/LibraryQuickstart.java");

    /** The fenced blocks of {@code language} in README.md's section "Using the library". */
    private static List<String> readmeBlocks(String language) throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("## Using the library");
        assertTrue(start >= 0, "README.md has a section 'Using the library'");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(section);
        return m.results().map(r -> r.group(1)).toList();
    }

    private static String mixtureJson() throws IOException {
        try (InputStream in = LibraryQuickstart.class.getResourceAsStream("/library/mixture.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void theReadmeShowsThisProgramAndThisMixture() throws IOException {
        List<String> java = readmeBlocks("java");
        assertTrue(!java.isEmpty() && java.get(0).contains("public final class LibraryQuickstart"), "the section's first program");
        String source = Files.readString(SOURCE);
        String withoutPackageAndJavadoc = source.replaceFirst("(?s)^package [^;]+;\\n\\n", "").replaceFirst("(?s)/\\*\\*.*?\\*/\\n", "");
        assertEquals(java.get(0), withoutPackageAndJavadoc, "README's program = " + SOURCE);
        assertEquals(List.of(mixtureJson()), readmeBlocks("json"), "README's mixture.json = src/main/resources/library/mixture.json");
    }

    @Test
    void theProgramDrawsTheMixture(@TempDir Path dir) throws IOException {
        Path mixture = dir.resolve("mixture.json");
        Files.writeString(mixture, mixtureJson());
        double[] p = LibraryQuickstart.sample(mixture);
        assertEquals(2000, p.length);
        int left = 0;
        double sx = 0;
        double sy = 0;
        for (int i = 0; i < p.length; i += 2) {
            left += p[i] < 0 ? 1 : 0;
            sx += p[i] / 1000;
            sy += p[i + 1] / 1000;
        }
        // weights 0.3 / 0.7 at x = -0.5 / 0.5 (well separated): the share left of 0 is binomial(1000, 0.3)
        assertEquals(0.3, left / 1000.0, 0.05, "share of the left component");
        assertEquals(0.3 * -0.5 + 0.7 * 0.5, sx, 0.04, "mean x");
        assertEquals(0.7 * 0.25, sy, 0.03, "mean y");
    }
}
