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
import org.ddpm4j.core.metrics.FrechetDistance;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.examples.data.FashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Fashion-MNIST commands on tiny settings (a few steps of tiny networks on a few hundred
 * images): train a conditional U-Net, an evaluation classifier and a noisy guidance classifier,
 * sample a grid, evaluate under classifier-free and classifier guidance.
 * Checks the files written, not the quality (docs/BENCHMARKS.md has the real runs).
 */
class FashionMnistCommandsTest {
    @TempDir
    static Path dir;
    static Path denoiser;
    static Path classifier;
    static Path noisy;

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
        noisy = dir.resolve("noisy-classifier");
        ok(Cli.run(tiny(classifier, "--model", "classifier", "--clean").toArray(String[]::new)));
        ok(Cli.run(tiny(noisy, "--model", "classifier").toArray(String[]::new)));
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
    @SuppressWarnings("unchecked")
    void distillsTheGuidedModelAndBenchmarksAndEvaluatesTheStudent() {
        Path students = dir.resolve("distilled");
        ok(Cli.run("distill", "--teacher", denoiser.toString(), "--scale", "3", "--thresholding", "--from", "2", "--to", "1", "--steps", "2",
                "--batch", "4", "--threads", "1", "--out", students.toString()));
        Path bench = dir.resolve("bench-distill");
        ok(Cli.run("bench", "distill", "--teacher", denoiser.toString(), "--students", students.toString(), "--classifier", classifier.toString(),
                "--steps", "1", "--per-class", "1", "--test-images", "60", "--threads", "1", "--out", bench.toString()));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.readObject(bench.resolve("metrics.json")).get("rows");
        assertEquals(5, rows.size(), rows.toString());   // the student at 1 step, the teacher with two solvers at 1 and 2 steps
        for (Map<String, Object> row : rows) {
            int steps = ((Number) row.get("steps")).intValue();
            // the guided teacher evaluates the conditional and the unconditional prediction per step, the student one
            assertEquals(row.get("model").equals("student") ? steps : 2 * steps, ((Number) row.get("evaluations")).intValue(), row.toString());
            assertTrue(Double.isFinite(((Number) row.get("fd_classifier")).doubleValue()), row.toString());
        }
        String student = students.resolve("steps-1").toString();
        List<String> plan = List.of("--sampler", "ddim", "--steps", "1", "--param", "timestep_spacing=trailing", "--param",
                "set_alpha_to_one=true", "--param", "clip_sample=false");
        List<String> eval = new ArrayList<>(List.of("eval", "--checkpoint", student, "--classifier", classifier.toString(), "--scales", "3",
                "--per-class", "1", "--test-images", "60", "--threads", "1", "--out", dir.resolve("eval-student").toString()));
        eval.addAll(plan);
        Cli r = Cli.run(eval.toArray(String[]::new));
        ok(r);
        assertTrue(r.out().contains("cfg (distilled)"), r.out());
        Cli wrongSteps = Cli.run("eval", "--checkpoint", student, "--classifier", classifier.toString(), "--scales", "3", "--per-class", "1",
                "--test-images", "60", "--sampler", "ddim", "--steps", "2", "--out", dir.resolve("eval-wrong").toString());
        assertEquals(2, wrongSteps.exitCode(), wrongSteps.out());
        assertTrue(wrongSteps.err().contains("distilled for 1 DDIM steps"), wrongSteps.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void evaluatesEachScaleOnTheStepScheduleTunedUnderItsGuidance() throws IOException {
        Path model = dir.resolve("tuned");
        try (var files = Files.walk(denoiser)) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(denoiser.relativize(f).toString()));
            }
        }
        ok(Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "3", "--sampler", "dpmsolver-multistep", "--pilots", "10",
                "--grid", "8", "--sweeps", "0", "--guidance", "cfg", "--scale", "3", "--threads", "1"));
        Path out = dir.resolve("eval-tuned");
        Cli r = Cli.run("eval", "--checkpoint", model.toString(), "--classifier", classifier.toString(), "--scales", "1,3", "--per-class", "1",
                "--sampler", "dpmsolver-multistep", "--steps", "3", "--test-images", "60", "--threads", "1", "--out", out.toString());
        ok(r);
        List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.readObject(out.resolve("eval.json")).get("guidance");
        Object tuned = ((Map<String, Object>) ModelCard.read(model.resolve(ModelCard.FILE)).stepSchedules().get(0).get("timesteps")).get("3");
        assertEquals(List.of(1.0, 3.0), rows.stream().map(row -> ((Number) row.get("scale")).doubleValue()).toList());
        assertEquals(null, rows.get(0).get("step_schedule"), "w = 1 has no schedule tuned under its guidance");
        assertEquals(tuned, rows.get(1).get("step_schedule"));
        assertTrue(r.out().contains("under guidance cfg {scale=3.0}"), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void evaluatesEveryScaleWithAnalyticVarianceEstimatedOnTheTestImages() {
        Path out = dir.resolve("eval-analytic");
        ok(Cli.run("eval", "--checkpoint", denoiser.toString(), "--classifier", classifier.toString(), "--scales", "0,3", "--per-class", "1",
                "--sampler", "ddpm", "--steps", "3", "--param", "variance_type=analytic", "--test-images", "60", "--threads", "1",
                "--out", out.toString()));
        Map<String, Object> report = Json.readObject(out.resolve("eval.json"));
        assertEquals(60, ((Number) report.get("analytic_eps_moments_images")).intValue());
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("guidance");
        assertEquals(2, rows.size());
        for (Map<String, Object> row : rows) {
            assertTrue(Double.isFinite(((Number) row.get("fd_classifier")).doubleValue()), row.toString());
        }
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
            assertEquals("cfg", row.get("guidance"));
            double fd = ((Number) row.get("fd_classifier")).doubleValue();
            assertTrue(Double.isFinite(fd) && fd >= 0, "FD " + fd);
            assertEquals(20, ((Number) row.get("samples")).intValue());
            BufferedImage grid = ImageIO.read(out.resolve((String) row.get("grid")).toFile());
            assertEquals(10 * (28 * 2 + 1) + 1, grid.getHeight());
            // the per-sample judgements the row's numbers come from (sample i asked for class i / 2)
            double[][] features = Npy.read(out.resolve((String) row.get("features"))).rows();
            double[] predicted = Npy.read(out.resolve((String) row.get("predicted"))).data();
            assertEquals(20, features.length);
            assertEquals(20, predicted.length);
            assertEquals(fd, FrechetDistance.between(features, Npy.read(out.resolve("test-features.npy")).rows()), 1e-9 * (1 + fd));
            int right = 0;
            for (int i = 0; i < 20; i++) {
                right += predicted[i] == i / 2 ? 1 : 0;
            }
            assertEquals(((Number) row.get("class_accuracy")).doubleValue(), right / 20.0, 1e-12);
        }
        assertEquals(60, Npy.read(out.resolve("test-features.npy")).shape()[0]);
        double bits = ((Number) ((Map<String, Object>) report.get("bits_per_dim")).get("mean")).doubleValue();
        // an untrained model: far from the 8 bits/dim of a uniform 8-bit model, yet positive and finite
        assertTrue(Double.isFinite(bits) && bits > 0, "bits/dim " + bits);
        assertEquals(960, ImageIO.read(out.resolve("guidance.png").toFile()).getWidth());
    }

    @Test
    @SuppressWarnings("unchecked")
    void boundsBitsPerDimensionWithTheAnalyticVarianceAndRefusesALearnedOneTheModelLacks() throws IOException {
        Path out = dir.resolve("eval-analytic");
        Cli r = eval(out, "--scales", "0", "--bits-per-dim", "2", "--variance", "analytic");
        ok(r);
        Map<String, Object> bits = (Map<String, Object>) Json.readObject(out.resolve("eval.json")).get("bits_per_dim");
        assertEquals("analytic", bits.get("reverse_variance"));
        double mean = ((Number) bits.get("mean")).doubleValue();
        assertTrue(Double.isFinite(mean) && mean > 0, "bits/dim " + mean);
        Cli learned = eval(dir.resolve("eval-learned"), "--scales", "0", "--bits-per-dim", "2", "--variance", "learned");
        assertEquals(2, learned.exitCode(), learned.out());
        assertTrue(learned.err().contains("--variance") && learned.err().contains("outputs its variance"), learned.err());
    }

    private static Cli eval(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("eval", "--checkpoint", denoiser.toString(), "--classifier", classifier.toString(),
                "--per-class", "2", "--steps", "3", "--test-images", "60", "--threads", "1", "--out", out.toString()));
        a.addAll(List.of(more));
        return Cli.run(a.toArray(String[]::new));
    }

    @Test
    @SuppressWarnings("unchecked")
    void evaluatesClassifierGuidanceOfTheUnconditionalPrediction() throws IOException {
        Path out = dir.resolve("eval-classifier-guidance");
        Cli r = eval(out, "--guidance", "classifier", "--guidance-classifier", noisy.toString(), "--scales", "0,2");
        ok(r);
        Map<String, Object> report = Json.readObject(out.resolve("eval.json"));
        assertEquals(noisy.toString(), report.get("guidance_classifier"));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("guidance");
        assertEquals(2, rows.size());
        for (int i = 0; i < 2; i++) {
            Map<String, Object> row = rows.get(i);
            assertEquals("classifier", row.get("guidance"));
            assertEquals(i == 0 ? 0.0 : 2.0, ((Number) row.get("scale")).doubleValue());
            double accuracy = ((Number) row.get("class_accuracy")).doubleValue();
            double fd = ((Number) row.get("fd_classifier")).doubleValue();
            assertTrue(accuracy >= 0 && accuracy <= 1 && Double.isFinite(fd) && fd >= 0, row.toString());
            assertEquals(20, ((Number) row.get("samples")).intValue());
            assertEquals(i == 0 ? "samples-s0.png" : "samples-s2.png", row.get("grid"));
            assertEquals(10 * (28 * 2 + 1) + 1, ImageIO.read(out.resolve((String) row.get("grid")).toFile()).getHeight());
        }
        assertTrue(Files.isRegularFile(out.resolve("guidance.png")));
        assertTrue(r.out().contains("classifier"), r.out());

        // scale 0 leaves the unconditional prediction (the null class), as cfg does at w = 0: the same samples
        Path cfg = dir.resolve("eval-cfg-w0");
        ok(eval(cfg, "--scales", "0"));
        Map<String, Object> unconditional = ((List<Map<String, Object>>) Json.readObject(cfg.resolve("eval.json")).get("guidance")).get(0);
        assertEquals(((Number) unconditional.get("class_accuracy")).doubleValue(), ((Number) rows.get(0).get("class_accuracy")).doubleValue());
        double fdCfg = ((Number) unconditional.get("fd_classifier")).doubleValue();
        assertEquals(fdCfg, ((Number) rows.get(0).get("fd_classifier")).doubleValue(), 1e-3 * Math.max(1, fdCfg));
    }

    @Test
    void classifierGuidanceRefusesBadInputBeforeSampling() throws IOException {
        Path bad = dir.resolve("bad-classifier-guidance");
        Cli missing = eval(bad, "--guidance", "classifier");
        assertTrue(missing.exitCode() != 0 && missing.err().contains("--guidance-classifier") && missing.err().contains("missing"),
                missing.err());
        Cli unused = eval(bad, "--guidance-classifier", noisy.toString());
        assertTrue(unused.exitCode() != 0 && unused.err().contains("--guidance-classifier"), unused.err());
        Cli unknown = eval(bad, "--guidance", "clip");
        assertTrue(unknown.exitCode() != 0 && unknown.err().contains("--guidance") && unknown.err().contains("clip"), unknown.err());
        Cli denoiserAsGuide = eval(bad, "--guidance", "classifier", "--guidance-classifier", denoiser.toString());
        assertTrue(denoiserAsGuide.exitCode() != 0 && denoiserAsGuide.err().contains("--guidance-classifier")
                && denoiserAsGuide.err().contains("not a classifier"), denoiserAsGuide.err());
        Cli cleanAsGuide = eval(bad, "--guidance", "classifier", "--guidance-classifier", classifier.toString());
        assertTrue(cleanAsGuide.exitCode() != 0 && cleanAsGuide.err().contains("clean data"), cleanAsGuide.err());

        // a classifier of three classes (its model card says so; the check comes before any weights load)
        Path three = dir.resolve("three-classes");
        Files.createDirectories(three);
        Map<String, Object> card = new java.util.LinkedHashMap<>(Json.readObject(noisy.resolve(ModelCard.FILE)));
        card.put("num_classes", 3);
        card.put("class_names", List.of("a", "b", "c"));
        Json.write(card, three.resolve(ModelCard.FILE));
        Cli mismatch = eval(bad, "--guidance", "classifier", "--guidance-classifier", three.toString());
        assertTrue(mismatch.exitCode() != 0 && mismatch.err().contains("--guidance-classifier") && mismatch.err().contains("3 classes")
                && mismatch.err().contains("10 classes"), mismatch.err());
        assertTrue(!Files.exists(bad), "nothing written before the checks");
    }

    @Test
    void evaluationRefusesBadInputBeforeSampling() {
        Cli negative = Cli.run("eval", "--checkpoint", denoiser.toString(), "--classifier", classifier.toString(), "--scales", "-1",
                "--out", dir.resolve("bad").toString());
        assertTrue(negative.exitCode() != 0 && negative.err().contains("--scales") && negative.err().contains("-1.0"), negative.err());
        Cli swapped = Cli.run("eval", "--checkpoint", classifier.toString(), "--classifier", denoiser.toString(), "--out",
                dir.resolve("bad").toString());
        assertTrue(swapped.exitCode() != 0, swapped.err());
        Cli negativeSteps = eval(dir.resolve("bad"), "--straightness", "-1");
        assertTrue(negativeSteps.exitCode() != 0 && negativeSteps.err().contains("--straightness"), negativeSteps.err());
        Cli notAFlow = eval(dir.resolve("bad"), "--straightness", "10");
        assertTrue(notAFlow.exitCode() != 0 && notAFlow.err().contains("--straightness") && notAFlow.err().contains("diffusion model"),
                notAFlow.err());
        assertTrue(!Files.exists(dir.resolve("bad").resolve("eval.json")), "nothing written");
    }

    @Test
    void aDiffusersUNetTrainsOnFashionMnistAndExportsToAFolderThatPretrainedSamples() {
        Path run = dir.resolve("diffusers-unet");
        Cli t = Cli.run("train", "--dataset", "fashion-mnist", "--arch", "diffusers-unet", "--conditional", "--samples", "64",
                "--steps", "2", "--batch", "4", "--threads", "1", "--progress-seconds", "0", "--hp", "block_out_channels=[8,16]",
                "--hp", "layers_per_block=1", "--hp", "norm_num_groups=4", "--hp", "attention_head_dim=4",
                "--hp", "down_block_types=[\"DownBlock2D\",\"AttnDownBlock2D\"]", "--hp", "up_block_types=[\"AttnUpBlock2D\",\"UpBlock2D\"]",
                "--out", run.toString());
        ok(t);   // in_channels, out_channels and num_class_embeds come from the data
        Path exported = dir.resolve("diffusers-unet-exported");
        ok(Cli.run("export", "--checkpoint", run.toString(), "--format", "diffusers", "--out", exported.toString()));
        Map<String, Object> config = Json.readObject(exported.resolve("unet/config.json"));
        assertEquals(1, ((Number) config.get("in_channels")).intValue());
        assertEquals(10, ((Number) config.get("num_class_embeds")).intValue());
        Path samples = dir.resolve("diffusers-unet.npy");
        Cli s = Cli.run("sample", "--pretrained", exported.toString(), "--steps", "2", "--class", "3,7", "--out", samples.toString());
        ok(s);
        assertTrue(s.out().contains("(diffusers-unet) 1x28x28") && s.out().contains("10 classes"), s.out());
        assertEquals(List.of(2, 1, 28, 28), java.util.Arrays.stream(org.ddpm4j.toolkit.io.Npy.read(samples).shape()).boxed().toList());

        Cli dropout = Cli.run("train", "--dataset", "fashion-mnist", "--arch", "diffusers-unet", "--conditional", "--cond-dropout", "0.1",
                "--steps", "1", "--out", dir.resolve("refused").toString());
        assertEquals(2, dropout.exitCode());
        assertTrue(dropout.err().contains("invalid cond-dropout = 0.1: must be 0 with --arch diffusers-unet"), dropout.err());
        assertTrue(!Files.exists(dir.resolve("refused")) || isEmpty(dir.resolve("refused")), "nothing written for refused input");
    }

    private static boolean isEmpty(Path d) {
        try (var l = Files.list(d)) {
            return l.findAny().isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
