package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.DirectoryLock;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.DataFingerprint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The faults of issue 17 against the CLI: each was a wrong result, a stack trace or lost work before. */
class ReliabilityTest {
    private static final String MIXTURE = "{\"weights\": [0.6, 0.4], \"means\": [[-1.0, 0.5], [1.0, -0.5]], \"stds\": [0.3, 0.2]}";

    private static List<String> train(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--dataset", "8gaussians", "--samples", "500", "--steps", String.valueOf(steps),
                "--batch", "32", "--warmup", "5", "--hp", "hidden=16", "--hp", "blocks=1", "--threads", "1", "--seed", "3",
                "--progress-seconds", "0", "--checkpoint-every", "10", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static Cli run(List<String> args) {
        return Cli.run(args.toArray(String[]::new));
    }

    private static Cli ok(List<String> args) {
        Cli r = run(args);
        assertEquals(0, r.exitCode(), r.err());
        return r;
    }

    private static Cli fails(List<String> args, String expected) {
        Cli r = run(args);
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "'" + r.err() + "' should contain '" + expected + "'");
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        return r;
    }

    private static Process child(Path log, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), Ddpm.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void await(Process child, Path log, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!condition.getAsBoolean()) {
            assertTrue(child.isAlive() && System.nanoTime() < deadline, "the child should still be running:\n" + Files.readString(log));
            Thread.sleep(10);
        }
    }

    private static void flipABit(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 8;
        Files.write(file, b);
    }

    @Test
    void aSecondWriterAndAConcurrentResumeFailAtOnceNamingTheHolderAndKillNineReleasesTheLock(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Process holder = child(dir.resolve("child.log"), train(out, 100_000));
        CheckpointStore store = new CheckpointStore(out);
        try {
            await(holder, dir.resolve("child.log"), () -> store.latest().isPresent());
            String held = "is in use by another run (process " + holder.pid() + " holds " + out.resolve(DirectoryLock.FILE) + ")";
            List<String> otherSeed = new ArrayList<>(train(out, 1000));
            otherSeed.set(otherSeed.indexOf("3"), "4");
            fails(otherSeed, held);
            fails(train(out, 1000, "--resume"), held);
            assertTrue(holder.isAlive(), "the holder keeps training");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        int killedAt = store.latest().orElseThrow().step();
        // kill -9 released the OS lock although the lock file remains
        assertTrue(Files.exists(out.resolve(DirectoryLock.FILE)));
        Cli resumed = ok(train(out, killedAt + 10, "--resume"));
        assertTrue(resumed.out().contains("step-" + String.format("%08d", killedAt + 10)), resumed.out());
    }

    @Test
    void aDamagedCheckpointIsReportedWithTheNewestIntactOneAndResumeNeverSavesIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        ok(train(out, 20));
        Path latest = out.resolve("checkpoints/step-00000020/state.safetensors");
        flipABit(latest);
        Cli r = fails(List.of("sample", "--checkpoint", out.toString(), "--n", "4", "--sampler", "ddim", "--steps", "5", "--threads", "1",
                "--out", dir.resolve("x.npy").toString()), "is damaged");
        assertTrue(r.err().contains("the newest intact checkpoint is " + out.resolve("checkpoints").resolve("step-00000010")), r.err());
        assertFalse(Files.exists(dir.resolve("x.npy")));
        fails(train(out, 30, "--resume"), "is damaged");
        assertEquals(20, new CheckpointStore(out).latest().orElseThrow().step(), "no checkpoint made of damaged weights");
    }

    @Test
    void resumingOnOtherDataOrPastTheRequestedStepsIsRefused(@TempDir Path dir) {
        Path out = dir.resolve("run");
        ok(train(out, 20));
        Object fingerprint = new CheckpointStore(out).card().data().get(DataFingerprint.KEY);
        assertTrue(fingerprint instanceof Map<?, ?> m && m.get("shape").equals(List.of(500, 2)), "the card's fingerprint: " + fingerprint);
        List<String> moons = new ArrayList<>(train(out, 30, "--resume"));
        moons.set(moons.indexOf("8gaussians"), "moons");
        fails(moons, "differs from the data the model in " + out + " was trained on");
        List<String> fewer = new ArrayList<>(train(out, 30, "--resume"));
        fewer.set(fewer.indexOf("500"), "400");
        fails(fewer, "differs from the data");
        fails(train(out, 10, "--resume"), "invalid steps = 10: the run in " + out + " is already at step 20, past the requested steps");
        assertEquals(20, new CheckpointStore(out).latest().orElseThrow().step());
    }

    @Test
    void nonFiniteTrainingDataIsRefusedAtLoadAndLeavesNoDirectory(@TempDir Path dir) {
        double[] v = new double[20];
        v[7] = Double.NaN; // sample 3, value 1
        Path data = dir.resolve("data.npy");
        Npy.writeDoubles(data, v, 10, 2);
        Path out = dir.resolve("run");
        fails(List.of("train", "--data", data.toString(), "--steps", "5", "--out", out.toString()), "sample 3 (value 1 of it) is not finite");
        assertFalse(Files.exists(out), "a run that never trained leaves no directory");
        // a run that fails after creating its directory, before its first checkpoint, leaves none either
        fails(train(out, 5, "--lr", "1e30"), "NaN");
        assertFalse(Files.exists(out), "a run that diverged before its first checkpoint leaves no directory");
    }

    @Test
    void outputsAreCheckedBeforeAnyWorkAndHugeRequestsAreRefusedWithAHint(@TempDir Path dir) throws Exception {
        Path mixture = dir.resolve("mixture.json");
        AtomicFiles.writeString(mixture, MIXTURE);
        List<String> sample = List.of("sample", "--denoiser", "gmm:" + mixture, "--backend", "java", "--sampler", "ddim", "--steps", "5");
        List<String> a = new ArrayList<>(sample);
        a.addAll(List.of("--n", "4", "--grid", dir.resolve("out.txt").toString()));
        fails(a, "invalid --grid = '" + dir.resolve("out.txt") + "': must be a .png file");
        a = new ArrayList<>(sample);
        a.addAll(List.of("--n", "4", "--out", Files.createDirectory(dir.resolve("taken.npy")).toString()));
        fails(a, "is a directory");
        a = new ArrayList<>(sample);
        // --out is written batch by batch, whatever --n; the picture holds every sample
        a.addAll(List.of("--n", "1000000000", "--grid", dir.resolve("x.png").toString()));
        Cli r = fails(a, "invalid --n = 1000000000: needs about ");
        assertTrue(r.err().contains("--grid holds every sample"), r.err());
        a = new ArrayList<>(sample);
        a.addAll(List.of("--n", "4", "--threads", "0", "--out", dir.resolve("x.npy").toString()));
        fails(a, "invalid backend.threads = 0: the java backend has no threads setting");
        a = new ArrayList<>(sample);
        a.addAll(List.of("--n", "4", "--device", "gpu", "--out", dir.resolve("x.npy").toString()));
        fails(a, "invalid backend.device = 'gpu': the java backend has no device setting");

        Path input = dir.resolve("input.npy");
        Npy.writeDoubles(input, new double[] {0.5, 0.5}, 1, 2);
        fails(List.of("edit", "--model", "gmm:" + mixture, "--input", input.toString(), "--mode", "sdedit", "--sampler", "ddim", "--repeat", "100000000",
                "--out", dir.resolve("e.npy").toString()), "invalid --repeat = 100000000: needs about ");
        fails(List.of("edit", "--model", "gmm:" + mixture, "--input", input.toString(), "--mode", "sdedit", "--sampler", "ddim",
                "--grid", dir.resolve("e.txt").toString()), "must be a .png file");
        fails(List.of("eval", "--checkpoint", dir.toString(), "--classifier", dir.toString(), "--out", mixture.toString()),
                "is a file; name a directory");
        fails(List.of("bench", "samplers", "--denoiser", "gmm:" + mixture, "--write-noise", dir.resolve("noise.txt").toString()),
                "must be a .npy file");
        fails(List.of("schedule", "--name", "linear", "--steps", "1000000000"), "invalid schedule.num_train_timesteps = 1000000000: needs about ");
        fails(List.of("schedule", "--name", "vp", "--steps", "1000000000"), "invalid --steps = 1000000000: needs about ");
        fails(List.of("train", "--steps", "5", "--progress-seconds", "-1", "--out", dir.resolve("p").toString()),
                "invalid --progress-seconds = -1.0: must be a finite number >= 0");
        fails(List.of("demo", "--progress-seconds", "-1", "--out", dir.resolve("p").toString()), "invalid --progress-seconds = -1.0");
        assertFalse(Files.exists(dir.resolve("p")));

        double[] labels = {0, 1e9};
        Path l = dir.resolve("labels.npy");
        Npy.writeDoubles(l, labels, 2);
        Path data = dir.resolve("data.npy");
        Npy.writeDoubles(data, new double[] {0, 0, 1, 1}, 2, 2);
        fails(List.of("train", "--data", data.toString(), "--labels", l.toString(), "--conditional", "--out", dir.resolve("q").toString()),
                "label 1.0E9 of sample 1 is not an integer in [0, 100000)");
        fails(List.of("train", "--dataset", "moons", "--batch", "2000000000", "--steps", "5", "--threads", "1", "--out",
                dir.resolve("b/c").toString()), "invalid batch_size = 2000000000: needs about ");
        assertFalse(Files.exists(dir.resolve("b")), "nor the parents it created");
    }

    @Test
    void tooManyThreadsAreCappedWithAWarning() {
        TrainCommand command = new TrainCommand();
        CommandLine cl = new CommandLine(command);
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.parseArgs("--threads", "100000", "--out", "x");
        int cap = DeviceOptions.MAX_THREADS_PER_PROCESSOR * Runtime.getRuntime().availableProcessors();
        assertEquals(cap, command.devices.parameters().asMap().get("threads"));
        assertTrue(err.toString().startsWith("warning: --threads 100000 capped at " + cap), err.toString());
        cl.parseArgs("--threads", "1", "--out", "x");
        assertEquals(1, command.devices.parameters().asMap().get("threads"));
    }

    @Test
    void aDemoKilledWhileWritingLeavesThePreviousSetAndASecondDemoFailsNamingTheHolder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        List<String> quick = List.of("demo", "--dataset", "8gaussians", "--train-steps", "10", "--batch", "32", "--hp", "hidden=16",
                "--hp", "blocks=1", "--samples", "60", "--steps", "5", "--progress-seconds", "0", "--out", out.toString());
        ok(quick);
        byte[] metrics = Files.readAllBytes(out.resolve("metrics.json"));
        Path staging = dir.resolve(".demo.partial");
        // a slow second run: kill it once it has written part of its outputs into the staging directory
        Process writer = child(dir.resolve("demo.log"), List.of("demo", "--dataset", "8gaussians", "--train-steps", "30", "--batch", "32",
                "--hp", "hidden=16", "--hp", "blocks=1", "--samples", "3000", "--sampler", "ddim", "--steps", "1000", "--threads", "1",
                "--progress-seconds", "0", "--seed", "5", "--out", out.toString()));
        try {
            await(writer, dir.resolve("demo.log"), () -> Files.exists(staging.resolve("loss.png")));
            fails(quick, "is in use by another run (process " + writer.pid() + " holds");
        } finally {
            writer.destroyForcibly().waitFor();
        }
        assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.json")), "the previous run's set is untouched");
        assertEquals(10, new CheckpointStore(out.resolve("model")).latest().orElseThrow().step());
        assertTrue(Files.exists(staging), "the killed run's partial set stays aside");

        ok(quick);
        assertFalse(Files.exists(staging), "the next run clears it");
        Files.writeString(out.resolve("notes.txt"), "mine");
        fails(quick, "holds notes.txt, which an earlier run did not write");
    }

    /** A jar naming a plugin whose constructor throws and one whose class is missing. */
    private static Path brokenJar(Path dir) throws Exception {
        Path jar = dir.resolve("broken.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/" + Plugin.class.getName()));
            out.write((ThrowingPlugin.class.getName() + "\ncom.example.Missing\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    /** A plugin whose constructor fails, as a plugin built against another version might. */
    public static final class ThrowingPlugin implements Plugin {
        public ThrowingPlugin() {
            throw new IllegalStateException("incompatible plugin");
        }
    }

    @Test
    void aBrokenPluginJarIsListedAsBrokenAndEverythingElseWorks(@TempDir Path dir) throws Exception {
        Path jar = brokenJar(dir);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            Cli r = ok(List.of("plugins"));
            assertTrue(r.out().contains("Broken plugins, skipped (2):"), r.out());
            assertTrue(r.out().contains("  " + ThrowingPlugin.class.getName() + "  " + jar + ": IllegalStateException: incompatible plugin"),
                    r.out());
            assertTrue(r.out().contains("  com.example.Missing  " + jar + ": class not found"), r.out());
            assertTrue(r.out().contains("ddim"), "the working plugins are listed: " + r.out());
            Path mixture = dir.resolve("mixture.json");
            AtomicFiles.writeString(mixture, MIXTURE);
            ok(List.of("sample", "--denoiser", "gmm:" + mixture, "--backend", "java", "--sampler", "ddim", "--steps", "5", "--n", "4",
                    "--out", dir.resolve("x.npy").toString()));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
