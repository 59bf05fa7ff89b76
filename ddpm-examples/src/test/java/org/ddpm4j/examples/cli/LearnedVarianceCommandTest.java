package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddpm train --loss hybrid|vlb} on both backends: the card records the variance output and the
 * objective, {@code ddpm} samples with the learned variance without options, classifier-free guidance
 * keeps it, and a sampler or guidance that cannot use it gets a stated fallback or a clear error.
 */
class LearnedVarianceCommandTest {

    private static Cli run(String... args) {
        return Cli.run(args);
    }

    private static Path train(Path dir, String backend, String loss) {
        Path out = dir.resolve(backend + "-" + loss);
        Cli r = run("train", "--dataset", "8gaussians", "--conditional", "--data-size", "1000", "--train-steps", "30", "--batch", "32",
                "--warmup", "5", "--hp", "hidden=16", "--hp", "blocks=1", "--threads", "1", "--seed", "3", "--progress-seconds", "0",
                "--loss", loss, "--backend", backend, "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        return out;
    }

    @Test
    void aHybridModelOnEitherBackendRecordsItsVarianceAndSamplesWithItWithoutOptions(@TempDir Path dir) {
        for (String backend : List.of("djl", "tf")) {
            Path model = train(dir, backend, "hybrid");
            ModelCard card = new CheckpointStore(model).card();
            assertEquals(VarianceOutput.LEARNED_RANGE, card.spec().varianceOutput(), backend);
            assertEquals(Map.of("type", "denoising", "loss", "hybrid", "vlb_weight", 0.001), card.objective(), backend);
            Cli r = run("sample", "--checkpoint", model.toString(), "--sampler", "ddpm", "--steps", "10", "--n", "16", "--class", "2",
                    "--out", dir.resolve(backend + ".npy").toString());
            assertEquals(0, r.exitCode(), r.err());
            assertFalse(r.err().contains("note: the model has a learned variance"), r.err());
            r = run("sample", "--checkpoint", model.toString(), "--sampler", "ddpm", "--steps", "10", "--n", "16", "--class", "2",
                    "--guidance", "cfg", "--scale", "3", "--out", dir.resolve(backend + "-cfg.npy").toString());
            assertEquals(0, r.exitCode(), r.err());
        }
    }

    @Test
    void theVlbObjectiveTrainsWithItsTimeSampler(@TempDir Path dir) {
        ModelCard card = new CheckpointStore(train(dir, "djl", "vlb")).card();
        assertEquals(Map.of("type", "denoising", "loss", "vlb", "time_sampler", "loss-aware"), card.objective());
    }

    @Test
    void aSamplerOrGuidanceThatCannotUseTheVarianceSaysSoOrRefuses(@TempDir Path dir) {
        Path model = train(dir, "djl", "hybrid");
        // stated fallback: DDIM uses the mean prediction and says that it ignores the variance
        Cli r = run("sample", "--checkpoint", model.toString(), "--sampler", "ddim", "--steps", "5", "--n", "8", "--class", "1",
                "--out", dir.resolve("ddim.npy").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("note: the model has a learned variance (learned_range), which only the ddpm sampler uses; ddim samples "
                + "with the model's mean prediction and ignores it"), r.err());
        // classifier guidance cannot carry the variance: a clear error
        Path classifier = dir.resolve("classifier");
        assertEquals(0, run("train", "--dataset", "8gaussians", "--model", "classifier", "--data-size", "500", "--train-steps", "5",
                "--batch", "32", "--hp", "hidden=16", "--hp", "blocks=1", "--progress-seconds", "0", "--out", classifier.toString()).exitCode());
        r = run("sample", "--checkpoint", model.toString(), "--sampler", "ddpm", "--steps", "5", "--n", "8", "--class", "1",
                "--guidance", "classifier", "--classifier", "checkpoint:" + classifier, "--out", dir.resolve("cg.npy").toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("learned variance") && r.err().contains("classifier-free guidance (cfg)"), r.err());
        // a learned variance asked of a model without one, and a loss for a classifier: errors naming the option
        Path plain = dir.resolve("plain");
        assertEquals(0, run("train", "--dataset", "moons", "--data-size", "500", "--train-steps", "5", "--batch", "32", "--hp", "hidden=16",
                "--hp", "blocks=1", "--progress-seconds", "0", "--out", plain.toString()).exitCode());
        r = run("sample", "--checkpoint", plain.toString(), "--sampler", "ddpm", "--steps", "5", "--n", "8", "--param", "variance_type=learned_range",
                "--out", dir.resolve("p.npy").toString());
        assertTrue(r.exitCode() != 0 && r.err().contains("variance_type") && r.err().contains("outputs its variance"), r.err());
        r = run("train", "--dataset", "moons", "--model", "classifier", "--loss", "hybrid", "--out", dir.resolve("c2").toString());
        assertTrue(r.exitCode() == 2 && r.err().contains("loss") && r.err().contains("applies to denoisers"), r.err());
        r = run("train", "--dataset", "moons", "--loss", "elbo", "--out", dir.resolve("c3").toString());
        assertTrue(r.exitCode() == 2 && r.err().contains("must be one of simple, hybrid, vlb"), r.err());
    }
}
