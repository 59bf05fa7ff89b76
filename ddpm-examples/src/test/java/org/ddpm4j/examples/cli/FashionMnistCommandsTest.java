package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.ddpm4j.core.io.Json;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.examples.data.FashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Fashion-MNIST commands on tiny settings (a few steps of tiny networks on a few hundred
 * images): train a conditional U-Net and an evaluation classifier, sample a grid, evaluate.
 * Checks the files written, not the quality (docs/BENCHMARKS.md has the real runs).
 */
class FashionMnistCommandsTest {
    @TempDir
    static Path dir;
    static Path denoiser;
    static Path classifier;

    private static List<String> tiny(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--dataset", "fashion-mnist", "--samples", "300", "--steps", "4", "--batch", "8",
                "--warmup", "1", "--hp", "channels=8", "--hp", "channel_mult=[1,2]", "--hp", "num_res_blocks=1", "--threads", "1",
                "--progress-seconds", "0", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static void ok(Cli r) {
        assertEquals(0, r.exitCode(), r.err() + r.out());
    }

    @BeforeAll
    static void train() {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIRECTORY), "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        denoiser = dir.resolve("denoiser");
        classifier = dir.resolve("classifier");
        ok(Cli.run(tiny(denoiser, "--conditional").toArray(String[]::new)));
        ok(Cli.run(tiny(classifier, "--model", "classifier", "--clean").toArray(String[]::new)));
    }

    @Test
    void theModelCardsNameTheDatasetAndItsClasses() {
        ModelCard card = new CheckpointStore(denoiser).card();
        assertEquals(10, card.spec().numClasses());
        assertEquals("fashion-mnist", card.data().get("dataset"));
        assertEquals(300, ((Number) card.data().get("samples")).intValue());
        assertEquals(FashionMnist.CLASS_NAMES, card.classNames());
        assertEquals("classifier", new CheckpointStore(classifier).card().kind());
    }

    @Test
    void samplesAGridWithOneRowPerClass() throws IOException {
        Path png = dir.resolve("grid.png");
        ok(Cli.run("sample", "--checkpoint", denoiser.toString(), "--sampler", "dpmsolver++", "--steps", "3", "--class", "all", "--n", "20",
                "--guidance", "cfg", "--scale", "3", "--grid", png.toString()));
        BufferedImage image = ImageIO.read(png.toFile());
        // ten rows of two 28x28 images, three times enlarged, one-pixel gaps
        assertEquals(2 * (28 * 3 + 1) + 1, image.getWidth());
        assertEquals(10 * (28 * 3 + 1) + 1, image.getHeight());
    }

    @Test
    @SuppressWarnings("unchecked")
    void evaluatesAccuracyFrechetDistanceAndBitsPerDimension() throws IOException {
        Path out = dir.resolve("eval");
        Cli r = Cli.run("eval", "--checkpoint", denoiser.toString(), "--classifier", classifier.toString(), "--scales", "0,3",
                "--per-class", "2", "--steps", "3", "--test-images", "60", "--bits-per-dim", "2", "--threads", "1", "--out", out.toString());
        ok(r);
        assertTrue(r.out().contains("FD-classifier") && r.out().contains("bits/dim"), r.out());
        Map<String, Object> report = Json.readObject(out.resolve("eval.json"));
        double accuracy = ((Number) report.get("classifier_test_accuracy")).doubleValue();
        assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("guidance");
        assertEquals(2, rows.size());
        for (Map<String, Object> row : rows) {
            double fd = ((Number) row.get("fd_classifier")).doubleValue();
            assertTrue(Double.isFinite(fd) && fd >= 0, "FD " + fd);
            assertEquals(20, ((Number) row.get("samples")).intValue());
            BufferedImage grid = ImageIO.read(out.resolve((String) row.get("grid")).toFile());
            assertEquals(10 * (28 * 2 + 1) + 1, grid.getHeight());
        }
        double bits = ((Number) ((Map<String, Object>) report.get("bits_per_dim")).get("mean")).doubleValue();
        // an untrained model: far from the 8 bits/dim of a uniform 8-bit model, yet positive and finite
        assertTrue(Double.isFinite(bits) && bits > 0, "bits/dim " + bits);
        assertEquals(960, ImageIO.read(out.resolve("guidance.png").toFile()).getWidth());
    }

    @Test
    void evaluationRefusesBadInputBeforeSampling() {
        Cli negative = Cli.run("eval", "--checkpoint", denoiser.toString(), "--classifier", classifier.toString(), "--scales", "-1",
                "--out", dir.resolve("bad").toString());
        assertTrue(negative.exitCode() != 0 && negative.err().contains("--scales") && negative.err().contains("-1.0"), negative.err());
        Cli swapped = Cli.run("eval", "--checkpoint", classifier.toString(), "--classifier", denoiser.toString(), "--out",
                dir.resolve("bad").toString());
        assertTrue(swapped.exitCode() != 0, swapped.err());
    }
}
