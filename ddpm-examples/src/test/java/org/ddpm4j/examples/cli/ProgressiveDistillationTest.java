package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.backend.djl.DjlBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.ProgressiveDistillation;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Progressive distillation on the analytic mixture: a student that outputs the exact target takes in
 * one step of the {@code ddim} sampler exactly the teacher's two (also for a guided class-conditional
 * teacher); a trained student's 4-step samples come close to the teacher's 8-step samples on djl and
 * on tf; rounds resume; the commands refuse to sample a student with another plan or guidance.
 */
class ProgressiveDistillationTest {
    private static final PluginRegistry REGISTRY = PluginRegistry.load();
    private static final GaussianMixture MIXTURE = new GaussianMixture(new double[] {0.5, 0.5},
            new double[][] {{-1.0, 0.5}, {1.0, -0.5}}, new double[] {0.3, 0.3});
    private static final DiscreteSchedule SCHEDULE = (DiscreteSchedule) REGISTRY.createSchedule("linear", Parameters.empty());

    private static Tensor ddim(Denoiser model, int steps, Tensor noise) {
        return ddim(model, steps, noise, Condition.none());
    }

    private static Tensor ddim(Denoiser model, int steps, Tensor noise, Condition condition) {
        return REGISTRY.createSampler("ddim", SCHEDULE, Parameters.of("steps", steps, "timestep_spacing", "trailing",
                "set_alpha_to_one", true, "clip_sample", false)).sample(model, noise, SampleOptions.defaults().withCondition(condition));
    }

    /** A v-prediction student that outputs the exact distillation target. */
    private static Denoiser oracle(ProgressiveDistillation d, Denoiser teacher, int steps) {
        double[] grid = d.grid(steps);
        return new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return Parameterization.V;
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                int[] j = new int[t.length];
                for (int i = 0; i < t.length; i++) {
                    int k = Arrays.binarySearch(Arrays.stream(grid).map(v -> -v).toArray(), -t[i]);
                    assertTrue(k >= 0, "the ddim sampler asks at t = " + t[i] + ", not on the grid " + Arrays.toString(grid));
                    j[i] = k;
                }
                return d.target(teacher, x, steps, j, condition);
            }
        };
    }

    @Test
    void theExactTargetMakesOneStudentStepEqualTwoTeacherSteps() {
        JavaBackend backend = new JavaBackend();
        ProgressiveDistillation d = new ProgressiveDistillation(SCHEDULE);
        Denoiser teacher = new GaussianMixtureDenoiser(MIXTURE, SCHEDULE, false);
        Tensor noise = backend.randn(new GaussianNoise(3), 64, 2);
        for (int steps : new int[] {4, 2, 1}) {
            double[] student = ddim(oracle(d, teacher, steps), steps, noise).toDoubleArray();
            double[] reference = ddim(teacher, 2 * steps, noise).toDoubleArray();
            for (int i = 0; i < student.length; i++) {
                assertEquals(reference[i], student[i], 1e-9, steps + " student steps, value " + i);
            }
        }
        // a class-conditional teacher guided with w = 3 (and thresholded): the student holds the guided teacher, per class
        Denoiser guided = REGISTRY.createGuidance("cfg", Parameters.of(Map.of("scale", 3.0, "thresholding", true)))
                .guide(new GaussianMixtureDenoiser(MIXTURE, SCHEDULE, true), GuidanceContext.of(SCHEDULE));
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
        }
        Condition classes = Condition.classes(labels);
        for (int steps : new int[] {2, 1}) {
            double[] student = ddim(oracle(d, guided, steps), steps, noise, classes).toDoubleArray();
            double[] reference = ddim(guided, 2 * steps, noise, classes).toDoubleArray();
            double[] unguided = ddim(new GaussianMixtureDenoiser(MIXTURE, SCHEDULE, true), 2 * steps, noise, classes).toDoubleArray();
            assertTrue(meanAbs(unguided, reference) > 0.01, "the guidance must matter here: " + meanAbs(unguided, reference));
            for (int i = 0; i < student.length; i++) {
                assertEquals(reference[i], student[i], 1e-9, "guided, " + steps + " student steps, value " + i);
            }
        }
        // the grid is the ddim sampler's (trailing) and halves exactly
        assertEquals(Arrays.toString(new double[] {999, 749, 499, 249}), Arrays.toString(d.grid(4)));
        assertEquals(Arrays.toString(new double[] {999, 874, 749, 624, 499, 374, 249, 124}), Arrays.toString(d.grid(8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"djl", "tf"})
    void aTrainedStudentsFourStepsComeCloseToTheTeachersEight(String backendName, @TempDir Path dir) {
        try (TensorBackend tensors = REGISTRY.createBackend(backendName, Parameters.of("threads", 1))) {
            NetworkBackend backend = (NetworkBackend) tensors;
            ProgressiveDistillation d = new ProgressiveDistillation(SCHEDULE);
            Denoiser teacher = new GaussianMixtureDenoiser(MIXTURE, SCHEDULE, false);
            NetworkSpec spec = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.V, Parameters.of("hidden", 64));
            ArrayData data = ArrayData.ofPoints(MIXTURE.sample(4000, new GaussianNoise(1)));
            TrainingSettings settings = new TrainingSettings(150, 64, 4e-3, 10, true, 0, 0, 1);
            ModelCard card = ModelCard.of("denoiser", spec, SCHEDULE, tensors.name(), Map.of("dataset", "two gaussians"));
            OptimizerSettings optimizer = OptimizerSettings.defaults().withEmaDecay(0.95);
            TrainableDenoiser student = d.distill(teacher, () -> backend.newDenoiser(spec, optimizer), Optional.empty(), 8, 4,
                    () -> new Trainer(settings, data, tensors, TrainingListener.NONE), settings.steps(), card, dir, false);
            Tensor noise = tensors.randn(new GaussianNoise(9), 256, 2);
            double[] distilled = ddim(student.ema(), 4, noise).toDoubleArray();
            double[] eight = ddim(teacher, 8, noise).toDoubleArray();
            double[] four = ddim(teacher, 4, noise).toDoubleArray();
            double studentError = meanAbs(distilled, eight);
            double teacherError = meanAbs(four, eight);
            System.out.printf("%s: distilled 4 steps vs teacher 8: %.4f; teacher 4 vs 8: %.4f%n", backendName, studentError, teacherError);
            // 1500 steps of 128 reach 0.0013, 300 of 64 0.0069 (teacher's own 4 vs 8 steps: 0.16); this short run must be well below the teacher's 4 steps
            assertTrue(studentError < 0.05 && studentError < teacherError / 3,
                    "student's 4 steps vs teacher's 8: mean |dx| = " + studentError + "; teacher's 4 steps: " + teacherError);
            assertEquals(4, ProgressiveDistillation.distilledSteps(new CheckpointStore(dir.resolve("steps-4")).card()).orElseThrow());

            // the CLI samples a distilled student only with the plan it was distilled for
            Path student4 = dir.resolve("steps-4");
            Cli wrong = Cli.run("sample", "--checkpoint", student4.toString(), "--backend", backendName, "--sampler", "ddim", "--steps", "8",
                    "--n", "4", "--out", dir.resolve("wrong.npy").toString());
            assertEquals(2, wrong.exitCode(), wrong.out());
            assertTrue(wrong.err().contains("distilled for 4 DDIM steps") && wrong.err().contains("timestep_spacing=trailing"), wrong.err());
            Cli otherSampler = Cli.run("sample", "--checkpoint", student4.toString(), "--backend", backendName, "--sampler", "dpmsolver++",
                    "--steps", "4", "--n", "4", "--out", dir.resolve("other.npy").toString());
            assertEquals(2, otherSampler.exitCode(), otherSampler.out());
            assertTrue(otherSampler.err().contains("distilled for 4 DDIM steps"), otherSampler.err());
            Cli right = Cli.run("sample", "--checkpoint", student4.toString(), "--backend", backendName, "--sampler", "ddim", "--steps", "4",
                    "--param", "timestep_spacing=trailing", "--param", "set_alpha_to_one=true", "--param", "clip_sample=false",
                    "--n", "4", "--out", dir.resolve("right.npy").toString());
            assertEquals(0, right.exitCode(), right.err());

            // resume per round: a finished round is loaded, not trained again
            TrainableDenoiser again = d.distill(teacher, () -> backend.newDenoiser(spec, optimizer), Optional.empty(), 8, 4,
                    () -> { throw new AssertionError("a finished round must not train again"); }, settings.steps(), card, dir, false);
            assertEquals(0, meanAbs(distilled, ddim(again.ema(), 4, noise).toDoubleArray()), 1e-6);
            student.close();
            again.close();
        }
    }

    @Test
    void theDistillCommandRunsEveryRoundAndLoadsFinishedOnes(@TempDir Path dir) {
        Path points = dir.resolve("points.npy");
        double[][] x = MIXTURE.sample(500, new GaussianNoise(2));
        org.ddpm4j.toolkit.io.Npy.writeDoubles(points, Arrays.stream(x).flatMapToDouble(Arrays::stream).toArray(), 500, 2);
        Path teacher = dir.resolve("teacher");
        Cli train = Cli.run("train", "--data", points.toString(), "--steps", "30", "--batch", "32", "--hp", "hidden=32", "--backend", "djl",
                "--threads", "1", "--out", teacher.toString());
        assertEquals(0, train.exitCode(), train.err());
        Path out = dir.resolve("students");
        Cli distill = Cli.run("distill", "--teacher", teacher.toString(), "--data", points.toString(), "--from", "4", "--to", "1",
                "--steps", "20", "--batch", "32", "--threads", "1", "--out", out.toString());
        assertEquals(0, distill.exitCode(), distill.err());
        for (int k : new int[] {2, 1}) {
            ModelCard card = new CheckpointStore(out.resolve("steps-" + k)).card();
            assertEquals(k, ProgressiveDistillation.distilledSteps(card).orElseThrow());
            assertEquals(Parameterization.V, card.spec().parameterization());
        }
        Cli again = Cli.run("distill", "--teacher", teacher.toString(), "--data", points.toString(), "--from", "4", "--to", "1",
                "--steps", "20", "--batch", "32", "--threads", "1", "--out", out.toString());
        assertEquals(0, again.exitCode(), again.err());
        Cli sample = Cli.run("sample", "--checkpoint", out.resolve("steps-1").toString(), "--sampler", "ddim", "--steps", "1",
                "--param", "timestep_spacing=trailing", "--param", "set_alpha_to_one=true", "--param", "clip_sample=false",
                "--n", "4", "--out", dir.resolve("one.npy").toString());
        assertEquals(0, sample.exitCode(), sample.err());
        Cli bad = Cli.run("distill", "--teacher", teacher.toString(), "--data", points.toString(), "--from", "4", "--to", "3",
                "--out", dir.resolve("bad").toString());
        assertEquals(2, bad.exitCode(), bad.out());
        assertTrue(bad.err().contains("power of two"), bad.err());
        Cli otherChain = Cli.run("distill", "--teacher", teacher.toString(), "--data", points.toString(), "--from", "2", "--to", "1",
                "--steps", "20", "--batch", "32", "--threads", "1", "--out", out.toString());
        assertEquals(2, otherChain.exitCode(), otherChain.out());
        assertTrue(otherChain.err().contains("another distillation"), otherChain.err());
        Cli guidedUnconditional = Cli.run("distill", "--teacher", teacher.toString(), "--data", points.toString(), "--scale", "3",
                "--out", dir.resolve("bad2").toString());
        assertEquals(2, guidedUnconditional.exitCode(), guidedUnconditional.out());
        assertTrue(guidedUnconditional.err().contains("unconditional"), guidedUnconditional.err());
    }

    @Test
    void anInterruptedRoundResumesFromItsCheckpointAsIfUninterrupted(@TempDir Path dir) {
        try (DjlBackend backend = new DjlBackend("cpu")) {
            ProgressiveDistillation d = new ProgressiveDistillation(SCHEDULE);
            Denoiser teacher = new GaussianMixtureDenoiser(MIXTURE, SCHEDULE, false);
            NetworkSpec spec = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.V, Parameters.of("hidden", 16));
            ArrayData data = ArrayData.ofPoints(MIXTURE.sample(500, new GaussianNoise(1)));
            TrainingSettings settings = new TrainingSettings(20, 16, 4e-3, 5, false, 0, 10, 2);
            ModelCard card = ModelCard.of("denoiser", spec, SCHEDULE, backend.name(), Map.of("dataset", "two gaussians"));
            OptimizerSettings optimizer = OptimizerSettings.defaults().withEmaDecay(0.9);
            TrainableDenoiser whole = d.distill(teacher, () -> backend.newDenoiser(spec, optimizer), Optional.empty(), 4, 1,
                    () -> new Trainer(settings, data, backend, TrainingListener.NONE), 20, card, dir.resolve("whole"), false);
            // the second round (2 -> 1 steps) stops after step 15: its checkpoint at step 10 remains
            int[] trainers = {0};
            TrainingListener stopInRoundTwo = new TrainingListener() {
                @Override
                public void onStep(int done, int total, double loss, double learningRate) {
                    if (done == 15) {
                        throw new IllegalStateException("interrupted");
                    }
                }
            };
            Path cut = dir.resolve("cut");
            assertThrows(IllegalStateException.class, () -> d.distill(teacher, () -> backend.newDenoiser(spec, optimizer), Optional.empty(), 4, 1,
                    () -> new Trainer(settings, data, backend, ++trainers[0] == 2 ? stopInRoundTwo : TrainingListener.NONE), 20, card, cut, false));
            assertEquals(20, new CheckpointStore(cut.resolve("steps-2")).latest().orElseThrow().step());
            assertEquals(10, new CheckpointStore(cut.resolve("steps-1")).latest().orElseThrow().step());
            InvalidParameterException refused = assertThrows(InvalidParameterException.class, () -> d.distill(teacher,
                    () -> backend.newDenoiser(spec, optimizer), Optional.empty(), 4, 1,
                    () -> new Trainer(settings, data, backend, TrainingListener.NONE), 20, card, cut, false));
            assertTrue(refused.getMessage().contains("resume"), refused.getMessage());
            TrainableDenoiser resumed = d.distill(teacher, () -> backend.newDenoiser(spec, optimizer), Optional.empty(), 4, 1,
                    () -> new Trainer(settings, data, backend, TrainingListener.NONE), 20, card, cut, true);
            Tensor noise = backend.randn(new GaussianNoise(9), 64, 2);
            double[] a = ddim(whole.ema(), 1, noise).toDoubleArray();
            double[] b = ddim(resumed.ema(), 1, noise).toDoubleArray();
            assertEquals(0, meanAbs(a, b), 1e-5, "resumed round vs uninterrupted round");
            assertEquals(20, new CheckpointStore(cut.resolve("steps-1")).latest().orElseThrow().step());
            whole.close();
            resumed.close();
        }
    }

    @Test
    void aClassConditionalTeacherIsDistilledWithItsGuidanceBuiltIn(@TempDir Path dir) {
        Path teacher = dir.resolve("teacher");
        Cli train = Cli.run("train", "--dataset", "8gaussians", "--conditional", "--cond-dropout", "0.1", "--data-size", "500",
                "--train-steps", "30", "--batch", "32", "--hp", "hidden=32", "--backend", "djl", "--threads", "1", "--out", teacher.toString());
        assertEquals(0, train.exitCode(), train.err());
        Path out = dir.resolve("students");
        Cli distill = Cli.run("distill", "--teacher", teacher.toString(), "--scale", "3", "--from", "2", "--to", "1",
                "--steps", "10", "--batch", "32", "--threads", "1", "--out", out.toString());
        assertEquals(0, distill.exitCode(), distill.err());
        ModelCard card = new CheckpointStore(out.resolve("steps-1")).card();
        assertEquals(8, card.spec().numClasses());
        assertEquals(3.0, ((Number) ProgressiveDistillation.distilledGuidance(card).orElseThrow().get("scale")).doubleValue());
        String[] plan = {"--sampler", "ddim", "--steps", "1", "--param", "timestep_spacing=trailing", "--param", "set_alpha_to_one=true",
                "--param", "clip_sample=false"};
        Cli guidedAgain = Cli.run(concat(new String[] {"sample", "--checkpoint", out.resolve("steps-1").toString(), "--class", "all",
                "--guidance", "cfg", "--scale", "3", "--out", dir.resolve("g.npy").toString()}, plan));
        assertEquals(2, guidedAgain.exitCode(), guidedAgain.out());
        assertTrue(guidedAgain.err().contains("built in"), guidedAgain.err());
        Cli perClass = Cli.run(concat(new String[] {"sample", "--checkpoint", out.resolve("steps-1").toString(), "--class", "all",
                "--out", dir.resolve("c.npy").toString()}, plan));
        assertEquals(0, perClass.exitCode(), perClass.err());
        Cli otherScale = Cli.run(concat(new String[] {"eval", "--checkpoint", out.resolve("steps-1").toString(), "--classifier",
                teacher.toString(), "--scales", "1,3", "--out", dir.resolve("eval").toString()}, plan));
        assertEquals(2, otherScale.exitCode(), otherScale.out());
        assertTrue(otherScale.err().contains("evaluate it with --scales 3"), otherScale.err());
    }

    @Test
    void theBenchmarkComparesStudentsWithTheirTeachersSamplers(@TempDir Path dir) throws java.io.IOException {
        Path teacher = dir.resolve("teacher");
        Cli train = Cli.run("train", "--dataset", "moons", "--data-size", "500", "--train-steps", "30", "--batch", "32", "--hp", "hidden=32",
                "--backend", "djl", "--threads", "1", "--out", teacher.toString());
        assertEquals(0, train.exitCode(), train.err());
        Path students = dir.resolve("students");
        Cli distill = Cli.run("distill", "--teacher", teacher.toString(), "--from", "4", "--to", "1", "--steps", "10", "--batch", "32",
                "--threads", "1", "--out", students.toString());
        assertEquals(0, distill.exitCode(), distill.err());
        Path out = dir.resolve("bench");
        Cli bench = Cli.run("bench", "distill", "--teacher", teacher.toString(), "--students", students.toString(), "--steps", "1,2",
                "--samples", "100", "--out", out.toString());
        assertEquals(0, bench.exitCode(), bench.err());
        Map<?, ?> metrics = org.ddpm4j.toolkit.io.Json.readObject(out.resolve("metrics.json"));
        java.util.List<?> rows = (java.util.List<?>) metrics.get("rows");
        assertEquals(8, rows.size(), rows.toString());   // 2 students, the teacher with 2 samplers at 1, 2 and 4 steps
        for (Object r : rows) {
            Map<?, ?> row = (Map<?, ?>) r;
            assertTrue(((Number) row.get("energy_distance_floor")).doubleValue() > 0 && row.containsKey("c2st_accuracy"), row.toString());
        }
        assertTrue(java.nio.file.Files.size(out.resolve("quality.png")) > 0);
        Cli missing = Cli.run("bench", "distill", "--teacher", teacher.toString(), "--students", students.toString(), "--steps", "8",
                "--out", dir.resolve("bench8").toString());
        assertEquals(2, missing.exitCode(), missing.out());
        assertTrue(missing.err().contains("no student distilled for 8"), missing.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void roundsMustHalve() {
        ProgressiveDistillation d = new ProgressiveDistillation(SCHEDULE);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> d.distill(null, null, Optional.empty(), 8, 3,
                null, 1, null, Path.of("unused"), false));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
    }

    private static double meanAbs(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]) / a.length;
        }
        return s;
    }
}
