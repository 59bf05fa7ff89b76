package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm edit} on the exact denoiser of a 2-D mixture: inpainting follows p(y | x), SDEdit follows its strength. */
class EditCommandTest {
    private static final GaussianMixture MIXTURE = new GaussianMixture(new double[] {0.4, 0.6}, new double[][] {{-1, -1.2}, {1, 1}},
            new double[] {0.5, 0.4});

    private static Path mixture(Path dir) {
        Path file = dir.resolve("mixture.json");
        AtomicFiles.writeString(file, "{\"weights\": [0.4, 0.6], \"means\": [[-1, -1.2], [1, 1]], \"stds\": [0.5, 0.4]}");
        return file;
    }

    /** One point per row; its y (5) is far from the data, so a method that copied it would show. */
    private static Path input(Path dir, double... xs) {
        double[] v = new double[2 * xs.length];
        for (int i = 0; i < xs.length; i++) {
            v[2 * i] = xs[i];
            v[2 * i + 1] = 5;
        }
        Path file = dir.resolve("input.npy");
        Npy.writeDoubles(file, v, xs.length, 2);
        return file;
    }

    private static Cli edit(Path dir, String... more) {
        List<String> a = new ArrayList<>(List.of("edit", "--model", "gmm:" + mixture(dir), "--seed", "3"));
        a.addAll(List.of(more));
        return Cli.run(a.toArray(String[]::new));
    }

    private static double meanOf(double[] v, int coordinate) {
        double m = 0;
        for (int i = coordinate; i < v.length; i += 2) {
            m += v[i] / (v.length / 2.0);
        }
        return m;
    }

    @Test
    void inpaintingKeepsTheKnownCoordinateAndDrawsTheOtherFromTheConditional(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("inpainted.npy");
        Path grid = dir.resolve("inpainted.png");
        Cli r = edit(dir, "--mode", "inpaint", "--input", input(dir, 0.3).toString(), "--known-dims", "0", "--repeat", "500",
                "--sampler", "ddpm", "--param", "clip_sample=false", "--steps", "50", "--resampling", "20",
                "--out", out.toString(), "--grid", grid.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("inpaint of 500 samples"), r.out());
        Npy.Array a = Npy.read(out);
        assertEquals(List.of(500, 2), List.of(a.shape()[0], a.shape()[1]));
        double[] v = a.data();
        for (int i = 0; i < v.length; i += 2) {
            assertEquals(0.3, v[i], 1e-6, "known x kept");
        }
        GaussianMixture conditional = MIXTURE.conditional(new int[] {0}, new double[] {0.3});
        double exact = 0;
        for (int k = 0; k < conditional.components(); k++) {
            exact += conditional.weight(k) * conditional.mean(k)[0];
        }
        assertEquals(exact, meanOf(v, 1), 0.12, "mean of y given x = 0.3");
        assertEquals(640, ImageIO.read(grid.toFile()).getWidth());
    }

    @Test
    void inpaintingTakesAMaskFileAndPerRowInputs(@TempDir Path dir) {
        Path mask = dir.resolve("mask.npy");
        Npy.writeDoubles(mask, new double[] {1, 0}, 2);
        Path out = dir.resolve("out.npy");
        Cli r = edit(dir, "--mode", "inpaint", "--input", input(dir, -1.5, 1.5).toString(), "--mask", mask.toString(), "--repeat", "200",
                "--sampler", "ddpm", "--param", "clip_sample=false", "--steps", "30", "--resampling", "10", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        double[] v = Npy.read(out).data();
        double[] first = Arrays.copyOfRange(v, 0, 400);
        double[] second = Arrays.copyOfRange(v, 400, 800);
        assertEquals(-1.5, meanOf(first, 0), 1e-6, "rows repeat in order: the first input 200 times");
        assertEquals(-1.2, meanOf(first, 1), 0.25, "x = -1.5 lies in the lower cluster");
        assertEquals(1.0, meanOf(second, 1), 0.25, "x = 1.5 lies in the upper cluster");
    }

    @Test
    void sdeditStaysNearTheInputForSmallStrengthAndForgetsItAtOne(@TempDir Path dir) {
        Path in = dir.resolve("far.npy");
        Npy.writeDoubles(in, new double[] {3, -3}, 1, 2);
        double[] near = sdedit(dir, in, "0.04");
        double[] far = sdedit(dir, in, "1");
        assertTrue(Math.hypot(meanOf(near, 0) - 3, meanOf(near, 1) + 3) < 0.3, Arrays.toString(near));
        assertTrue(Math.hypot(meanOf(far, 0) - 3, meanOf(far, 1) + 3) > 3, "strength 1 samples the mixture");
        assertEquals(0.6 * 1 + 0.4 * -1, meanOf(far, 0), 0.15, "mean x of the mixture");
    }

    private static double[] sdedit(Path dir, Path in, String strength) {
        Path out = dir.resolve("sdedit-" + strength + ".npy");
        Cli r = edit(dir, "--mode", "sdedit", "--input", in.toString(), "--repeat", "300", "--strength", strength,
                "--sampler", "ddim", "--param", "clip_sample=false", "--steps", "50", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        return Npy.read(out).data();
    }

    @Test
    void badInputIsOneClearLineNamingTheOption(@TempDir Path dir) {
        String in = input(dir, 0.3).toString();
        assertError(edit(dir, "--mode", "inpaint", "--input", in, "--sampler", "ddim", "--out", "x.npy"), "--known-dims");
        assertError(edit(dir, "--mode", "inpaint", "--input", in, "--known-dims", "2", "--sampler", "ddim", "--out", dir.resolve("x.npy").toString()),
                "--known-dims = 2");
        assertError(edit(dir, "--mode", "inpaint", "--input", in, "--known-dims", "0", "--strength", "0.5", "--sampler", "ddim", "--out", "x.npy"),
                "--strength");
        assertError(edit(dir, "--mode", "sdedit", "--input", in, "--known-dims", "0", "--sampler", "ddim", "--out", "x.npy"), "--known-dims");
        assertError(edit(dir, "--mode", "sdedit", "--input", in, "--strength", "2", "--sampler", "ddim", "--out", dir.resolve("x.npy").toString()),
                "strength = 2");
        assertError(edit(dir, "--mode", "inpaint", "--input", in, "--known-dims", "0", "--resampling", "0", "--sampler", "ddim",
                "--out", dir.resolve("x.npy").toString()), "resampling = 0");
        Path wrong = dir.resolve("wrong.npy");
        Npy.writeDoubles(wrong, new double[] {1, 2, 3}, 1, 3);
        assertError(edit(dir, "--mode", "sdedit", "--input", wrong.toString(), "--sampler", "ddim", "--out", dir.resolve("x.npy").toString()),
                "--input");
        Path half = dir.resolve("half.npy");
        Npy.writeDoubles(half, new double[] {0.5, 0}, 2);
        assertError(edit(dir, "--mode", "inpaint", "--input", in, "--mask", half.toString(), "--sampler", "ddim",
                "--out", dir.resolve("x.npy").toString()), "--mask");
        assertError(edit(dir, "--mode", "blur", "--input", in, "--sampler", "ddim", "--out", "x.npy"), "--mode");
    }

    private static void assertError(Cli r, String mention) {
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains(mention), r.err());
    }

    @Test
    void helpShowsExamples() {
        Cli r = Cli.run("edit", "--help");
        assertTrue(r.out().contains("Examples:") && r.out().contains("ddpm edit --mode inpaint") && r.out().contains("ddpm edit --mode sdedit"),
                r.out());
    }
}
