package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ddpm sample` with classes and guidance, on the exact mixture and on a trained checkpoint. */
class GuidedSampleCommandTest {
    private static final String CLASSES = "{\"weights\": [0.5, 0.3, 0.2], \"means\": [[-2, 0], [2, 0.5], [0, -2]], \"stds\": [0.4, 0.4, 0.4]}";

    private static Path mixture(Path dir) {
        Path file = dir.resolve("classes.json");
        AtomicFiles.writeString(file, CLASSES);
        return file;
    }

    private static double[] meanOf(Path npy) {
        double[] v = Npy.read(npy).data();
        double[] m = new double[2];
        for (int i = 0; i < v.length; i++) {
            m[i % 2] += v[i] / (v.length / 2.0);
        }
        return m;
    }

    @Test
    void cfgAndClassifierGuidanceOnTheExactMixtureDrawTheChosenClass(@TempDir Path dir) {
        Path gmm = mixture(dir);
        Path cfg = dir.resolve("cfg.npy");
        Cli r = Cli.run("sample", "--denoiser", "gmm:" + gmm, "--n", "300", "--sampler", "ddim", "--param", "clip_sample=false",
                "--steps", "50", "--class", "1", "--guidance", "cfg", "--scale", "1", "--out", cfg.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(new double[] {2, 0.5}, meanOf(cfg), 0.1, "class 1 is the component at (2, 0.5)");

        Path classifier = dir.resolve("classifier.npy");
        r = Cli.run("sample", "--denoiser", "gmm:" + gmm, "--n", "300", "--sampler", "ddim", "--param", "clip_sample=false",
                "--steps", "50", "--class", "1", "--guidance", "classifier", "--classifier", "gmm:" + gmm, "--scale", "1",
                "--out", classifier.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(Npy.read(cfg).data(), Npy.read(classifier).data(), 1e-8, "exact models: both methods agree at scale 1");
    }

    @Test
    void gridOfPointsOneColourPerClass(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("classes.png");
        Cli r = Cli.run("sample", "--denoiser", "gmm:" + mixture(dir), "--sampler", "dpmsolver++", "--steps", "15", "--class", "all",
                "--grid", png.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("30 samples of [2]"), r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(640, image.getWidth());
    }

    @Test
    void aTrainedConditionalCheckpointSamplesEveryClassIntoAGrid(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("ring");
        Cli t = Cli.run("train", "--dataset", "8gaussians", "--conditional", "--samples", "2000", "--steps", "500", "--batch", "128",
                "--hp", "hidden=64", "--hp", "blocks=2", "--lr", "3e-3", "--ema", "0.99", "--seed", "3", "--out", run.toString());
        assertEquals(0, t.exitCode(), t.err());
        Path out = dir.resolve("s.npy");
        Path png = dir.resolve("s.png");
        Cli r = Cli.run("sample", "--checkpoint", run.toString(), "--sampler", "dpmsolver++", "--steps", "20", "--class", "all",
                "--guidance", "cfg", "--scale", "2", "--out", out.toString(), "--grid", png.toString());
        assertEquals(0, r.exitCode(), r.err());
        Npy.Array a = Npy.read(out);
        assertArrayEquals(new int[] {80, 2}, a.shape(), "10 samples per class, 8 classes");
        double[] v = a.data();
        int right = 0;
        for (int i = 0; i < 80; i++) {
            int label = i / 10;
            double angle = Math.atan2(v[2 * i + 1], v[2 * i]);
            int nearest = (int) Math.round(angle / (2 * Math.PI / 8) + 8) % 8;
            right += nearest == label ? 1 : 0;
        }
        assertTrue(right >= 64, "guided samples land on their class's Gaussian: " + right + "/80");
        assertEquals(640, ImageIO.read(png.toFile()).getHeight());
    }

    @Test
    void badGuidanceRequestsFailBeforeSampling(@TempDir Path dir) {
        Path gmm = mixture(dir);
        Path points = dir.resolve("points.npy");
        Npy.writeDoubles(points, new double[] {0, 0, 1, 1, 2, 0}, 3, 2);
        String[] base = {"sample", "--n", "4", "--sampler", "ddim", "--steps", "5", "--out", dir.resolve("x.npy").toString()};

        Cli r = Cli.run(concat(base, "--denoiser", "points:" + points, "--class", "0", "--guidance", "cfg"));
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("class-conditional"), r.err());

        r = Cli.run(concat(base, "--denoiser", "gmm:" + gmm, "--class", "3", "--guidance", "cfg"));
        assertTrue(r.err().contains("invalid --class = 3: must be a class number 0..2"), r.err());

        r = Cli.run(concat(base, "--denoiser", "gmm:" + gmm, "--class", "1", "--guidance", "cfg", "--scale", "-1"));
        assertTrue(r.err().contains("guidance.scale = -1.0"), r.err());

        Path two = dir.resolve("two.json");
        AtomicFiles.writeString(two, "{\"weights\": [0.5, 0.5], \"means\": [[0, 0], [1, 1]], \"stds\": [1, 1]}");
        r = Cli.run(concat(base, "--denoiser", "gmm:" + gmm, "--class", "1", "--guidance", "cfg", "--classifier", "gmm:" + two));
        assertEquals(2, r.exitCode(), r.out());
        assertTrue(r.err().contains("is used by --guidance classifier only"), r.err());
        r = Cli.run(concat(base, "--denoiser", "gmm:" + two, "--class", "5", "--guidance", "classifier", "--classifier", "gmm:" + gmm));
        assertTrue(r.err().contains("invalid --class = 5: must be a class number 0..2"), r.err());
        r = Cli.run(concat(base, "--denoiser", "gmm:" + gmm, "--class", "1", "--scale", "2"));
        assertTrue(r.err().contains("need --guidance"), r.err());
        r = Cli.run(concat(base, "--denoiser", "gmm:" + gmm, "--guidance", "classifier", "--class", "1"));
        assertTrue(r.err().contains("needs a noisy classifier"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
