package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.examples.bench.ReferenceDdimLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm train} on the djl backend, in-process and in a child JVM that is killed mid-run. */
class TrainCommandTest {
    /** A small, fast run; every run of the same arguments gives the same losses (one thread, one seed). */
    private static List<String> args(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--dataset", "8gaussians", "--data-size", "2000", "--train-steps", String.valueOf(steps),
                "--batch", "64", "--warmup", "10", "--hp", "hidden=16", "--hp", "blocks=1", "--threads", "1", "--seed", "3",
                "--progress-seconds", "0", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static Cli train(List<String> args) {
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        return r;
    }

    @SuppressWarnings("unchecked")
    private static double[] losses(Path dir) {
        Map<String, Object> training = new CheckpointStore(dir).latest().orElseThrow().training();
        return ((List<Number>) training.get("losses")).stream().mapToDouble(Number::doubleValue).toArray();
    }

    @Test
    void trainsWithProgressCheckpointsACardAndALossCurve(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        Cli r = train(args(out, 30, "--checkpoint-every", "10", "--conditional"));
        assertTrue(r.out().contains("training a mlp denoiser"), r.out());
        assertTrue(r.out().contains("train  30/30  100%") && r.out().contains("steps/s") && r.out().contains("loss "), r.out());
        assertTrue(r.out().contains("checkpoint " + out.resolve("checkpoints").resolve("step-00000030")), r.out());
        ModelCard card = new CheckpointStore(out).card();
        assertEquals(8, card.spec().numClasses());
        assertEquals(16, card.spec().hyperparameters().asMap().get("hidden"));
        assertEquals(30, losses(out).length);
        BufferedImage png = ImageIO.read(out.resolve("loss.png").toFile());
        assertEquals(800, png.getWidth());
    }

    @Test
    void trainsAClassifier(@TempDir Path dir) {
        Path out = dir.resolve("classifier");
        train(args(out, 20, "--model", "classifier"));
        assertEquals("classifier", new CheckpointStore(out).card().kind());
    }

    @Test
    void aCheckpointIsASampleSourceAndSamplesLookLikeTheData(@TempDir Path dir) {
        Path out = dir.resolve("ring");
        train(args(out, 600, "--hp", "hidden=64", "--hp", "blocks=2", "--lr", "3e-3", "--ema", "0.99"));
        try (Pipeline source = loaded("checkpoint:" + out, new ComponentConfig("djl", Map.of("device", "cpu")))) {
            TensorBackend backend = source.backend();
            Tensor x = ReferenceDdimLoop.sample(source.model(), (DiscreteSchedule) source.schedule(),
                    backend.randn(new GaussianNoise(5), 400, 2), 50, Condition.none());
            float[] p = x.toFloatArray();
            double radius = 0;
            for (int i = 0; i < p.length; i += 2) {
                radius += Math.hypot(p[i], p[i + 1]) / (p.length / 2.0);
            }
            assertEquals(1.4, radius, 0.2, "samples lie on the ring of the 8 Gaussians");
        }
    }

    /**
     * Flow matching on both backends: the card records the path and the objective, a flow sampler
     * needs nothing else, the samples lie on the ring, a resumed run continues; a card whose path and
     * objective disagree is refused by name.
     */
    @Test
    void trainsAFlowModelOnBothBackends(@TempDir Path dir) throws IOException {
        for (String backendName : new String[] {"djl", "tf"}) {
            Path out = dir.resolve("flow-" + backendName);
            train(args(out, 200, "--hp", "hidden=64", "--hp", "blocks=2", "--lr", "3e-3", "--ema", "0.99", "--objective", "flow",
                    "--time-distribution", "logit-normal:0,1", "--backend", backendName));
            train(args(out, 400, "--hp", "hidden=64", "--hp", "blocks=2", "--lr", "3e-3", "--ema", "0.99", "--objective", "flow",
                    "--time-distribution", "logit-normal:0,1", "--backend", backendName, "--resume"));
            assertEquals(400, losses(out).length, backendName + ": resumed to 400 steps");
            ModelCard card = new CheckpointStore(out).card();
            assertEquals("rectified-flow", card.schedule().type());
            assertEquals("flow_prediction", card.spec().parameterization().diffusersName());
            assertEquals(Map.of("type", "flow-matching", "time_distribution", Map.of("type", "logit-normal", "m", 0.0, "s", 1.0)),
                    card.objective());
            try (Pipeline source = loaded("checkpoint:" + out, ComponentConfig.of(backendName))) {
                TensorBackend backend = source.backend();
                Tensor x = source.sampler(new ComponentConfig("flow-euler", Map.of("steps", 20)))
                        .sample(source.model(), backend.randn(new GaussianNoise(5), 400, 2), org.ddpm4j.api.sampling.SampleOptions.defaults());
                float[] p = x.toFloatArray();
                double radius = 0;
                for (int i = 0; i < p.length; i += 2) {
                    radius += Math.hypot(p[i], p[i + 1]) / (p.length / 2.0);
                }
                assertEquals(1.4, radius, 0.25, backendName + ": samples lie on the ring of the 8 Gaussians");
            }
        }
        // the card of a flow model that claims a diffusion schedule
        Path card = dir.resolve("flow-djl").resolve(ModelCard.FILE);
        Files.writeString(card, Files.readString(card).replace("\"rectified-flow\"", "\"linear\"").replace("\"num_train_timesteps\" : 1000",
                "\"num_train_timesteps\" : 1000"));
        Cli r = Cli.run("sample", "--checkpoint", dir.resolve("flow-djl").toString(), "--sampler", "ddim", "--n", "4",
                "--out", dir.resolve("x.npy").toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("objective.type = 'flow-matching': does not match the card's schedule 'linear'"), r.err());
        // a flow path whose card claims the denoising objective
        String flowCard = Files.readString(dir.resolve("flow-tf").resolve(ModelCard.FILE));
        Path denoising = dir.resolve("flow-tf").resolve(ModelCard.FILE);
        Files.writeString(denoising, flowCard.replace("\"flow-matching\"", "\"denoising\""));
        r = Cli.run("sample", "--checkpoint", dir.resolve("flow-tf").toString(), "--sampler", "flow-euler", "--n", "4",
                "--out", dir.resolve("y.npy").toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("objective.type = 'denoising': does not match the card's schedule 'rectified-flow', a flow path"), r.err());
        // a velocity model on a diffusion schedule, without an objective (a card of an older version)
        String noObjective = flowCard.substring(0, flowCard.lastIndexOf(",\n  \"objective\"")) + "\n}\n";
        Files.writeString(denoising, noObjective.replace("\"rectified-flow\"", "\"linear\""));
        r = Cli.run("sample", "--checkpoint", dir.resolve("flow-tf").toString(), "--sampler", "ddim", "--n", "4",
                "--out", dir.resolve("z.npy").toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("parameterization = 'flow_prediction': does not match the card's schedule 'linear'"), r.err());
    }

    @Test
    void reflowTrainsOnTheCouplingsOfAFlowModel(@TempDir Path dir) {
        Path teacher = dir.resolve("teacher");
        train(args(teacher, 60, "--objective", "flow"));
        Path student = dir.resolve("student");
        Cli r = Cli.run("train", "--reflow-from", teacher.toString(), "--reflow-pairs", "500", "--reflow-steps", "4", "--steps", "20",
                "--batch", "64", "--warmup", "5", "--threads", "1", "--progress-seconds", "0", "--out", student.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("reflow: 500 couplings of " + teacher + " by flow-heun with 4 steps"), r.out());
        ModelCard card = new CheckpointStore(student).card();
        assertTrue(card.flowMatching());
        assertEquals(500, card.data().get("couplings"));
        assertEquals(16, card.spec().hyperparameters().asMap().get("hidden"), "the teacher's network");
        assertEquals(20, losses(student).length);

        Path diffusion = dir.resolve("diffusion");
        train(args(diffusion, 5));
        r = Cli.run("train", "--reflow-from", diffusion.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("reflow needs a flow-matching model"), r.err());
        r = Cli.run("train", "--reflow-from", teacher.toString(), "--dataset", "moons", "--out", dir.resolve("y").toString());
        assertTrue(r.err().contains("is fixed by the model of --reflow-from"), r.err());

        // a FlowMatch scheduler config samples the flow model, and is refused for the diffusion model
        Path config = dir.resolve("flow.json");
        org.ddpm4j.toolkit.io.Json.write(Map.of("_class_name", "FlowMatchEulerDiscreteScheduler", "shift", 2.0), config);
        r = Cli.run("sample", "--checkpoint", student.toString(), "--scheduler-config", config.toString(), "--steps", "4", "--n", "8",
                "--out", dir.resolve("s.npy").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("flow-euler on rectified-flow, 4 steps, 4 model evaluations"), r.out());
        r = Cli.run("sample", "--checkpoint", diffusion.toString(), "--scheduler-config", config.toString(), "--steps", "4", "--n", "8",
                "--out", dir.resolve("d.npy").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("describes schedule rectified-flow") && r.err().contains("trained with linear"), r.err());
        // and the other way round: a diffusion scheduler config on the flow model
        Path ddim = dir.resolve("ddim.json");
        org.ddpm4j.toolkit.io.Json.write(Map.of("_class_name", "DDIMScheduler"), ddim);
        r = Cli.run("sample", "--checkpoint", student.toString(), "--scheduler-config", ddim.toString(), "--steps", "4", "--n", "8",
                "--out", dir.resolve("e.npy").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--scheduler-config = '" + ddim + "': describes schedule linear") && r.err().contains("trained with "
                + "rectified-flow"), r.err());
    }

    /**
     * Reflow of a class-conditional flow: couplings generated per class with classifier-free guidance
     * at the given scale, a conditional network of the teacher's kind trained on them (with the null
     * class kept by condition dropout), recorded in the card; the options are refused for an
     * unconditional teacher.
     */
    @Test
    void reflowOfAConditionalFlowPutsItsGuidanceIntoTheCouplings(@TempDir Path dir) {
        Path teacher = dir.resolve("teacher");
        train(args(teacher, 40, "--objective", "flow", "--conditional"));
        Path student = dir.resolve("student");
        Cli r = Cli.run("train", "--reflow-from", teacher.toString(), "--reflow-pairs", "240", "--reflow-steps", "3", "--reflow-scale", "3",
                "--steps", "10", "--batch", "32", "--warmup", "2", "--threads", "1", "--progress-seconds", "0", "--out", student.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("reflow: 240 couplings of " + teacher + " by flow-heun with 3 steps, guided (cfg, w = 3.0)"), r.out());
        ModelCard card = new CheckpointStore(student).card();
        assertEquals(8, card.spec().numClasses(), "the teacher's classes");
        assertEquals(Map.of("type", "cfg", "scale", 3.0), card.data().get("coupling_guidance"));
        assertEquals(0.1, card.data().get("condition_dropout"));
        r = Cli.run("sample", "--checkpoint", student.toString(), "--sampler", "flow-euler", "--steps", "2", "--class", "all",
                "--guidance", "cfg", "--scale", "1", "--out", dir.resolve("s.npy").toString());
        assertEquals(0, r.exitCode(), r.err());

        // a warm start begins at the teacher's EMA weights (with a vanishing learning rate, it stays there)
        Path warm = dir.resolve("warm");
        r = Cli.run("train", "--reflow-from", teacher.toString(), "--reflow-pairs", "40", "--reflow-steps", "2", "--reflow-warm-start",
                "--steps", "1", "--batch", "8", "--warmup", "0", "--lr", "1e-12", "--threads", "1", "--progress-seconds", "0",
                "--out", warm.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("on the couplings from the weights of " + teacher), r.out());
        Map<String, org.ddpm4j.api.tensor.HostArray> teacherState = new CheckpointStore(teacher).latest().orElseThrow().state();
        Map<String, org.ddpm4j.api.tensor.HostArray> warmState = new CheckpointStore(warm).latest().orElseThrow().state();
        int compared = 0;
        for (Map.Entry<String, org.ddpm4j.api.tensor.HostArray> e : teacherState.entrySet()) {
            if (e.getKey().startsWith("ema/")) {
                assertArrayEquals(e.getValue().data(), warmState.get("weights/" + e.getKey().substring(4)).data(), 1e-6f, e.getKey());
                compared++;
            }
        }
        assertTrue(compared > 2, "the teacher's EMA tensors: " + teacherState.keySet());
        assertEquals(true, new CheckpointStore(warm).card().data().get("warm_start"));

        Path plain = dir.resolve("plain");
        train(args(plain, 5, "--objective", "flow"));
        r = Cli.run("train", "--reflow-from", plain.toString(), "--reflow-scale", "3", "--out", dir.resolve("x").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("reflow-scale = 3.0: applies to a class-conditional --reflow-from model"), r.err());
        r = Cli.run("train", "--reflow-from", teacher.toString(), "--reflow-scale", "-1", "--out", dir.resolve("y").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("reflow-scale = -1.0: must be a finite guidance scale >= 0"), r.err());
    }

    @Test
    void torchScriptIsASampleSourceWithTheScheduleOfItsSidecar() {
        Path model = Path.of("../ddpm-backend-djl/src/test/resources/torchscript/gaussian.pt"); // made by tools/djl-reference
        try (Pipeline source = loaded("torchscript:" + model, ComponentConfig.of("djl"))) {
            TensorBackend backend = source.backend();
            assertEquals("linear", source.schedule().name());
            float[] mean = new float[2];
            float[] p = ReferenceDdimLoop.sample(source.model(), (DiscreteSchedule) source.schedule(),
                    backend.randn(new GaussianNoise(6), 500, 2), 25, Condition.none()).toFloatArray();
            for (int i = 0; i < p.length; i++) {
                mean[i % 2] += p[i] / 500;
            }
            assertArrayEquals(new float[] {1, -2}, mean, 0.1f);
        }
    }

    @Test
    void badInputIsOneClearLine(@TempDir Path dir) {
        Cli r = Cli.run(args(dir.resolve("a"), 10, "--device", "gpu").toArray(String[]::new));
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: invalid backend.device = 'gpu': no GPU is visible"), r.err());
        r = Cli.run(args(dir.resolve("b"), 10, "--hp", "hiden=3").toArray(String[]::new));
        assertTrue(r.err().startsWith("error: invalid hyperparameters.hiden = 3: unknown parameter"), r.err());
        r = Cli.run("train", "--backend", "java", "--out", dir.resolve("c").toString());
        assertTrue(r.err().contains("cannot train networks"), r.err());
        r = Cli.run("train", "--dataset", "spiral", "--out", dir.resolve("d").toString());
        assertTrue(r.err().contains("invalid dataset = 'spiral': must be one of swiss-roll, moons, 8gaussians, checkerboard"), r.err());
        String message = assertThrows(InvalidParameterException.class,
                () -> ModelSource.parse("model", dir.resolve("nothing").toString())).getMessage();
        assertTrue(message.contains("checkpoint:DIR"), message);
    }

    @Test
    void aRunKilledMidwayAndResumedReachesTheSameLossCurve(@TempDir Path dir) throws Exception {
        int steps = 400;
        Path straight = dir.resolve("straight");
        train(args(straight, steps, "--checkpoint-every", "20"));

        Path interrupted = dir.resolve("interrupted");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), Ddpm.class.getName()));
        command.addAll(args(interrupted, steps, "--checkpoint-every", "20"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        CheckpointStore store = new CheckpointStore(interrupted);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (child.isAlive() && store.latest().map(CheckpointStore.Checkpoint::step).orElse(0) < 60 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(child.isAlive(), "the child should still be training:\n" + Files.readString(dir.resolve("child.log")));
        child.destroyForcibly().waitFor();
        int killedAt = store.latest().orElseThrow().step();
        assertTrue(killedAt >= 60 && killedAt < steps, "killed after step " + killedAt);

        Cli resumed = train(args(interrupted, steps, "--checkpoint-every", "20", "--resume"));
        assertTrue(resumed.out().contains("train  " + steps + "/" + steps), resumed.out());
        assertArrayEquals(losses(straight), losses(interrupted), 0.0, "the same loss curve, bit for bit (killed after step " + killedAt + ")");
    }

    /**
     * Stopped mid-run (SIGTERM here; Ctrl-C's SIGINT runs the same shutdown hooks, but a child started
     * in the background may ignore SIGINT), train prints the last checkpoint and the command that continues.
     */
    @Test
    void aStoppedRunSaysWhereItsCheckpointIsAndHowToResume(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("stopped");
        List<String> trainArgs = args(out, 100_000, "--checkpoint-every", "20");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), Ddpm.class.getName()));
        command.addAll(trainArgs);
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        CheckpointStore store = new CheckpointStore(out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (child.isAlive() && store.latest().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(child.isAlive(), "the child should still be training:\n" + Files.readString(log));
        child.destroy();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        String printed = Files.readString(log);
        Path last = store.latest().orElseThrow().dir();
        assertTrue(printed.contains("interrupted: the last checkpoint is " + last), printed);
        assertTrue(printed.contains("continue with: ./ddpm " + String.join(" ", trainArgs) + " --resume"), printed);
    }

    @Test
    void theResumeCommandQuotesWhatTheShellWouldSplit() {
        String m = InterruptedTraining.message(Optional.of(Path.of("runs/a b/checkpoints/step-00000020")),
                List.of("train", "--out", "runs/a b", "--hp", "channel_mult=[1,2]"));
        assertEquals("interrupted: the last checkpoint is runs/a b/checkpoints/step-00000020" + System.lineSeparator()
                + "continue with: ./ddpm train --out 'runs/a b' --hp 'channel_mult=[1,2]' --resume", m);
        assertTrue(InterruptedTraining.message(Optional.empty(), List.of("train", "--resume")).contains("nothing to resume from"));
    }

    /** numpy's integer labels (int64 here, written as numpy does) are class labels; fractional floats are refused by name. */
    @Test
    void labelsMayBeAnyIntegerTypeButNotFractions(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("x.npy");
        Npy.writeDoubles(data, new double[] {0, 0, 1, 1, -1, -1, 0.5, 0.5}, 4, 2);
        Path labels = dir.resolve("y.npy");
        String header = "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }";
        int start = (10 + header.length() + 1 + 63) / 64 * 64; // the data starts 64-byte aligned
        header = header + " ".repeat(start - 10 - header.length() - 1) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(start + 32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length())
                .put(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putLong(0).putLong(2).putLong(1).putLong(2);
        Files.write(labels, b.array());
        Path out = dir.resolve("run");
        train(List.of("train", "--data", data.toString(), "--labels", labels.toString(), "--conditional", "--train-steps", "2",
                "--batch", "4", "--hp", "hidden=8", "--hp", "blocks=1", "--out", out.toString()));
        assertEquals(3, new CheckpointStore(out).card().spec().numClasses());

        Npy.writeDoubles(labels, new double[] {0, 1.5, 1, 2}, 4);
        Cli r = Cli.run("train", "--data", data.toString(), "--labels", labels.toString(), "--conditional", "--out", dir.resolve("b").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: invalid labels = '" + labels + "': label 1.5 of sample 1 is not an integer"), r.err());
    }

    /** The model {@code source} names, with its own schedule, on {@code backend}: as the sampling commands load it. */
    private static Pipeline loaded(String source, ComponentConfig backend) {
        return Pipelines.build(PipelineConfig.of(backend), PipelineParts.none().model(ModelSource.parse("model", source)));
    }
}
