package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed (SIGKILL) between checkpoints and resumed repeats the uninterrupted run
 * bit for bit: same losses, same weights, EMA and Adam state (one intra-op and one inter-op thread).
 * The child JVM also shows that TensorFlow prints nothing on stderr with the level the {@code ddpm}
 * launcher sets before the JVM starts (TensorFlow reads it while its natives load, before the backend
 * can set it). Lines the JVM itself prints for options taken from the environment
 * ({@code JAVA_TOOL_OPTIONS} and the like) are not TensorFlow's and are ignored.
 */
class ResumeAfterKillTest {

    @Test
    void aKilledRunResumesToTheSameLossesAndWeights(@TempDir Path dir) throws Exception {
        TrainingRun.Outcome straight;
        try (TfBackend backend = new TfBackend()) {
            straight = TrainingRun.train(backend, dir.resolve("straight"), false, TrainingListener.NONE);
        }

        Path killed = dir.resolve("killed");
        Path stderr = dir.resolve("stderr.txt");
        ProcessBuilder launch = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TrainingRun.class.getName(), killed.toString())
                .redirectError(stderr.toFile());
        launch.environment().put(TfRuntime.LOG_LEVEL, "2"); // as ./ddpm sets it, whatever this JVM's environment says
        Process child = launch.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("checkpoint 20")) {
                assertTrue(line.startsWith("checkpoint"), "unexpected output of the child: " + line);
            }
            child.destroyForcibly(); // SIGKILL, between checkpoint 20 and 30
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        int latest = new CheckpointStore(killed).latest().orElseThrow().step();
        assertTrue(latest >= 20 && latest < 40, "killed mid-run, latest checkpoint " + latest);
        assertEquals(List.of(), withoutJvmNotices(Files.readAllLines(stderr)), "TensorFlow's native log is silent");

        TrainingRun.Outcome resumed;
        try (TfBackend backend = new TfBackend()) {
            resumed = TrainingRun.train(backend, killed, true, TrainingListener.NONE);
        }
        assertArrayEquals(straight.losses(), resumed.losses(), 0.0, "the same loss curve, bit for bit");
        assertEquals(straight.state().keySet(), resumed.state().keySet());
        straight.state().forEach((name, array) -> assertEquals(array, resumed.state().get(name), name));
    }

    /** {@code lines} without the JVM's "Picked up JAVA_TOOL_OPTIONS: ..." (and _JAVA_OPTIONS, JDK_JAVA_OPTIONS) notices. */
    static List<String> withoutJvmNotices(List<String> lines) {
        return lines.stream().filter(line -> !JVM_NOTICE.matcher(line).lookingAt()).toList();
    }

    private static final Pattern JVM_NOTICE = Pattern.compile("(NOTE: )?Picked up \\w+: ");
}
