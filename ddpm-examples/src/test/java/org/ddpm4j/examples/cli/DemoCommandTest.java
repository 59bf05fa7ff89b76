package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.examples.data.Toy2d;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm demo} with tiny settings: every output is there, decodes and holds sane numbers. */
class DemoCommandTest {

    private static Cli demo(Path out, int trainSteps, String... more) {
        List<String> a = new ArrayList<>(List.of("demo", "--dataset", "8gaussians", "--train-steps", String.valueOf(trainSteps),
                "--batch", "32", "--hp", "hidden=16", "--hp", "blocks=1", "--n", "60", "--steps", "5", "--progress-seconds", "0",
                "--out", out.toString()));
        a.addAll(List.of(more));
        return Cli.run(a.toArray(String[]::new));
    }

    private static BufferedImage png(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertTrue(image != null, file + " is a PNG");
        return image;
    }

    @Test
    void writesPicturesMetricsSamplesAndTheModel(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("demo");
        Cli r = demo(out, 30);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("train  30/30  100%"), r.out());
        assertTrue(r.out().contains("C2ST accuracy (5-NN, leave-one-out; 0.5 = indistinguishable)") && r.out().contains("energy distance")
                && r.out().contains("wrote into " + out), r.out());

        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of("samples.png", "trajectory.png", "loss.png", "metrics.json", "samples.npy", "model", ".lock", ".outputs"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()), "exactly the outputs, nothing half-written or staged");
        }
        BufferedImage samples = png(out.resolve("samples.png"));
        assertEquals(960, samples.getWidth());
        assertEquals(480, samples.getHeight());
        BufferedImage trajectory = png(out.resolve("trajectory.png"));
        assertEquals(300, trajectory.getHeight());
        assertEquals(0, trajectory.getWidth() % 300);
        assertTrue(trajectory.getWidth() >= 4 * 300, "several time slices and the paths: " + trajectory.getWidth());
        assertEquals(800, png(out.resolve("loss.png")).getWidth());

        Map<String, Object> metrics = Json.readObject(out.resolve("metrics.json"));
        for (String key : List.of("c2st_accuracy", "c2st_accuracy_floor", "precision", "precision_floor", "recall", "recall_floor",
                "density", "density_floor", "coverage", "coverage_floor", "energy_distance", "energy_distance_floor",
                "energy_distance_ratio", "mmd2", "mmd2_floor", "mmd2_ratio", "train_seconds", "sample_seconds", "metrics_seconds",
                "total_seconds")) {
            Object v = metrics.get(key);
            assertTrue(v instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0, key + " = " + v);
        }
        double energy = ((Number) metrics.get("energy_distance")).doubleValue();
        double floor = ((Number) metrics.get("energy_distance_floor")).doubleValue();
        assertTrue(floor > 0, "the floor of a V-statistic is positive");
        assertEquals(energy / floor, ((Number) metrics.get("energy_distance_ratio")).doubleValue(), 1e-9);
        for (String key : List.of("c2st_accuracy", "c2st_accuracy_floor", "precision", "recall", "coverage")) {
            assertTrue(((Number) metrics.get(key)).doubleValue() <= 1, key + " is a fraction");
        }
        assertEquals(5, metrics.get("k"));
        assertEquals(Map.of("use_lu_lambdas", true, "steps", 5), metrics.get("sampler_parameters"),
                "steps uniform in log-SNR; dpmsolver++ has no clip_sample, so that default is dropped");
        assertEquals(60, metrics.get("samples"));
        assertEquals("8gaussians", metrics.get("dataset"));
        assertEquals(30, metrics.get("train_steps"));

        Npy.Array points = Npy.read(out.resolve("samples.npy"));
        assertEquals(List.of(60, 2), List.of(points.shape()[0], points.shape()[1]));
        assertEquals(30, new CheckpointStore(out.resolve("model")).latest().orElseThrow().step());

        // a second run replaces the model instead of refusing to overwrite it, and leaves no staging directory;
        // ddim has no use_lu_lambdas, so the demo's default for it is dropped
        Cli again = demo(out, 20, "--sampler", "ddim");
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(20, new CheckpointStore(out.resolve("model")).latest().orElseThrow().step());
        assertFalse(Files.exists(dir.resolve(".demo.partial")) || Files.exists(dir.resolve(".demo.old")));
    }

    @Test
    void trainsTheSameMlpWithFlowMatching(@TempDir Path dir) {
        Path out = dir.resolve("flow");
        Cli r = demo(out, 30, "--objective", "flow");
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Object> metrics = Json.readObject(out.resolve("metrics.json"));
        assertEquals("flow", metrics.get("objective"));
        assertEquals("flow-heun", metrics.get("sampler"));
        ModelCard card = new CheckpointStore(out.resolve("model")).card();
        assertEquals("rectified-flow", card.schedule().type());
        assertTrue(card.flowMatching());
        r = demo(dir.resolve("bad"), 10, "--objective", "flow", "--sampler", "dpmsolver++");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("rectified-flow"), r.err());
    }

    @Test
    void badInputIsOneClearLine(@TempDir Path dir) {
        Cli r = Cli.run("demo", "--dataset", "spiral", "--out", dir.resolve("a").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: invalid dataset = 'spiral': must be one of swiss-roll, moons, 8gaussians, checkerboard"), r.err());
        r = Cli.run("demo", "--samples", "1", "--out", dir.resolve("b").toString());
        assertTrue(r.err().startsWith("error: invalid --n = 1"), r.err());
        r = Cli.run("demo", "--train-steps", "0", "--out", dir.resolve("b").toString());
        assertTrue(r.err().startsWith("error: invalid --train-steps = 0"), r.err());
        r = demo(dir.resolve("c"), 10, "--sampler", "nope");
        assertTrue(r.err().contains("nope") && r.err().contains("dpmsolver++"), r.err());
        r = demo(dir.resolve("e"), 10, "--param", "use_lu_lambdas=maybe");
        assertTrue(r.exitCode() != 0 && r.err().contains("use_lu_lambdas"), r.err());
        r = demo(dir.resolve("d"), 10, "--backend", "java");
        assertTrue(r.err().contains("cannot train networks"), r.err());
        r = demo(dir.resolve("f"), 10, "--min-snr", "0");
        assertTrue(r.err().startsWith("error: invalid --min-snr = 0"), r.err());
        r = demo(dir.resolve("g"), 10, "--predict", "noise");
        assertTrue(r.err().startsWith("error: invalid --predict = 'noise'"), r.err());
        r = demo(dir.resolve("h"), 10, "--objective", "flow", "--predict", "x0");
        assertTrue(r.err().startsWith("error: invalid --predict = 'x0'"), r.err());
        assertFalse(Files.exists(dir.resolve("a")), "nothing is written when the arguments are wrong");
    }

    @Test
    void helpShowsExamples() {
        Cli r = Cli.run("demo", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("Examples:") && r.out().contains("ddpm demo --dataset 8gaussians"), r.out());
        assertTrue(r.out().contains("checkerboard") && !r.out().contains("fashion-mnist"),
                "the demo offers the 2-D datasets only:\n" + r.out());
        assertTrue(Cli.run("--help").out().contains("demo"));
    }

    @Test
    void helpStatesEachDatasetsDefaults() {
        String help = Cli.run("demo", "--help").out();
        for (Toy2d toy : Toy2d.values()) {
            DemoCommand.Recipe r = DemoCommand.Recipe.of(toy);
            String line = String.format(java.util.Locale.ROOT, "%-12s --train-steps %d --predict %s", toy.id(), r.trainSteps(), r.predict());
            assertTrue(help.contains(line + System.lineSeparator()), "help states " + line + ":\n" + help);
        }
    }
}
