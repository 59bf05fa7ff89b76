package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Npy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code ddpm sample} keys every sample by its index: {@code --n 16 --first-index 16} writes exactly
 * rows 16..31 of {@code --n 64} with the same seed, and {@code --batch} changes nothing but memory,
 * for stochastic samplers too; samplers that couple their batch refuse to be cut.
 */
class SampleSlicesTest {
    private static final String MIXTURE = "{\"weights\": [0.6, 0.4], \"means\": [[-1.0, 0.5], [1.0, -0.5]], \"stds\": [0.3, 0.2]}";

    @TempDir
    Path dir;

    private Path mixture() {
        Path file = dir.resolve("mixture.json");
        AtomicFiles.writeString(file, MIXTURE);
        return file;
    }

    private double[] sample(String name, String... extra) {
        Path out = dir.resolve(name + ".npy");
        List<String> args = new ArrayList<>(List.of("sample", "--denoiser", "gmm:" + mixture(), "--steps", "20", "--out", out.toString()));
        args.addAll(List.of(extra));
        if (!args.contains("--seed")) {
            args.addAll(List.of("--seed", "5"));
        }
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        return Npy.read(out).data();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddpm", "euler-ancestral", "dpmsolver++"})
    void aSliceIsTheSameRowsAsInTheWholeRun(String sampler) {
        double[] whole = sample("whole", "--sampler", sampler, "--n", "64");
        double[] slice = sample("slice", "--sampler", sampler, "--n", "16", "--first-index", "16");
        assertArrayEquals(Arrays.copyOfRange(whole, 2 * 16, 2 * 32), slice, 0.0, sampler + ": rows 16..31");
        double[] batches = sample("batches", "--sampler", sampler, "--n", "64", "--batch", "5");
        assertArrayEquals(whole, batches, 0.0, sampler + ": --batch 5");
        assertFalse(Arrays.equals(whole, sample("seed", "--sampler", sampler, "--n", "64", "--seed", "6")), "the seed matters");
    }

    @Test
    void classesAndTheSamplersOwnNoiseFollowTheIndex() {
        double[] whole = sample("whole", "--sampler", "ddim", "--eta", "1", "--n", "12", "--class", "1");
        double[] tail = sample("tail", "--sampler", "ddim", "--eta", "1", "--n", "4", "--first-index", "8", "--class", "1", "--batch", "3");
        assertArrayEquals(Arrays.copyOfRange(whole, 16, 24), tail, 0.0);
    }

    @Test
    void samplersThatCoupleTheirBatchRefuseToBeCut() {
        String out = dir.resolve("ode.npy").toString();
        String[] ode = {"sample", "--denoiser", "gmm:" + mixture(), "--sampler", "ode", "--n", "8", "--out", out};
        Cli r = Cli.run(ode);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("indices 0..7") && !r.out().contains("batches"), r.out());
        assertError("--batch = 4: cannot cut the run: sampler 'ode' couples the samples of a batch", append(ode, "--batch", "4"));
        assertError("--first-index = 8: cannot continue a larger run: sampler 'ode'", append(ode, "--first-index", "8"));
        assertEquals(0, Cli.run(append(ode, "--batch", "8")).exitCode(), "a batch that holds the whole run is fine");
    }

    @Test
    void badSlicesAreOneClearLine() throws java.io.IOException {
        Path out = dir.resolve("bad.npy");
        String[] base = {"sample", "--denoiser", "gmm:" + mixture(), "--sampler", "ddim", "--n", "4", "--out", out.toString()};
        assertError("--first-index = -1: must be an integer >= 0", append(base, "--first-index", "-1"));
        assertError("--batch = 0: must be an integer >= 1", append(base, "--batch", "0"));
        assertError("--first-index = 9223372036854775806", append(base, "--first-index", Long.toString(Long.MAX_VALUE - 1)));
        assertError("--class = 'all': lays the classes out over this run's --n samples", append(base, "--class", "all", "--first-index", "4"));
        assertFalse(Files.exists(out), "a failed run writes nothing");
    }

    private static String[] append(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static void assertError(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), r.err());
    }
}
