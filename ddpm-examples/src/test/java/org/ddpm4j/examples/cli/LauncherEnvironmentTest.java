package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment the {@code ddpm} launcher gives the JVM keeps a tf run quiet: TensorFlow prints its
 * oneDNN line while its natives load, before the backend can lower the log level, so the launcher
 * exports it. A child JVM started with the launcher's defaults prints nothing of TensorFlow's.
 */
class LauncherEnvironmentTest {
    private static final Path LAUNCHER = Path.of("../ddpm");
    /** {@code export NAME="${NAME:-VALUE}"}: a default the user's own setting overrides. */
    private static final Pattern DEFAULT = Pattern.compile("(?m)^export (\\w+)=\"\\$\\{\\1:-([^}]*)\\}\"$");
    private static final Pattern JVM_NOTICE = Pattern.compile("(NOTE: )?Picked up \\w+: ");

    static Map<String, String> launcherDefaults() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = DEFAULT.matcher(Files.readString(LAUNCHER));
        while (m.find()) {
            env.put(m.group(1), m.group(2));
        }
        return env;
    }

    @Test
    void theLauncherSetsTensorFlowsLogLevelBeforeTheJvmStarts() throws Exception {
        assertEquals("2", launcherDefaults().get("TF_CPP_MIN_LOG_LEVEL"));
    }

    @Test
    void aTfRunWithTheLaunchersEnvironmentPrintsNothingOfTensorFlows(@TempDir Path dir) throws Exception {
        Path mixture = dir.resolve("mixture.json");
        Files.writeString(mixture, "{\"weights\": [1], \"means\": [[0.5, -0.5]], \"stds\": [0.2]}");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), Ddpm.class.getName(),
                "sample", "--denoiser", "gmm:" + mixture, "--backend", "tf", "--n", "4", "--steps", "3", "--out", dir.resolve("x.npy").toString()));
        ProcessBuilder launch = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile());
        launch.environment().remove("TF_CPP_MIN_LOG_LEVEL");
        launch.environment().putAll(launcherDefaults());
        Process child = launch.start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), Files.readString(dir.resolve("stderr.txt")));
        List<String> tensorflow = Files.readAllLines(dir.resolve("stderr.txt")).stream()
                .filter(line -> !JVM_NOTICE.matcher(line).lookingAt())
                .filter(line -> line.contains("tensorflow") || line.contains("oneDNN") || line.contains("absl")).toList();
        assertEquals(List.of(), tensorflow);
    }
}
