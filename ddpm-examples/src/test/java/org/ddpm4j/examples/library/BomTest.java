package org.ddpm4j.examples.library;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ddpm-bom manages every module a user can depend on, at the project's version: a module added to
 * the build without its BOM entry, or a version bumped in one place only, fails here.
 */
class BomTest {
    private static final Path ROOT = Path.of("..");

    /** The first {@code <tag>} of {@code xml} outside its parent, dependency, build and profile blocks (the module's own). */
    private static String own(String xml, String tag) {
        String body = xml.replaceFirst("(?s)<parent>.*?</parent>", "")
                .replaceAll("(?s)<(dependencyManagement|dependencies|build|profiles)>.*?</\\1>", "");
        Matcher m = Pattern.compile("<" + tag + ">([^<]+)</" + tag + ">").matcher(body);
        return m.find() ? m.group(1).strip() : null;
    }

    @Test
    void theBomListsEveryPublishedModuleAtTheProjectVersion() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String version = own(parent, "version");
        Map<String, String> expected = new TreeMap<>();
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (modules.find()) {
            String pom = Files.readString(ROOT.resolve(modules.group(1)).resolve("pom.xml"));
            String group = own(pom, "groupId");
            boolean published = !pom.contains("<maven.install.skip>true</maven.install.skip>") && !"pom".equals(own(pom, "packaging"))
                    && (group == null || group.equals("org.ddpm4j"));
            if (published) {
                expected.put(own(pom, "artifactId"), version);
            }
        }
        String bom = Files.readString(ROOT.resolve("ddpm-bom/pom.xml"));
        assertEquals(version, own(bom, "version"), "the BOM's own version");
        Map<String, String> managed = new TreeMap<>();
        Matcher d = Pattern.compile("(?s)<dependency>\\s*<groupId>org\\.ddpm4j</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*"
                + "<version>([^<]+)</version>").matcher(bom);
        while (d.find()) {
            managed.put(d.group(1), d.group(2));
        }
        assertEquals(expected, managed);
    }
}
