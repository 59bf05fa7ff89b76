package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.core.training.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm tune-steps} on a tiny trained model: schedules in the card, used by {@code ddpm sample} at their step counts only. */
class TuneStepsCommandTest {

    @Test
    @SuppressWarnings("unchecked")
    void tunesStoresAndSamplesWithTheSchedule(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("run");
        Cli train = Cli.run("train", "--dataset", "8gaussians", "--samples", "500", "--steps", "20", "--batch", "64", "--warmup", "5",
                "--hp", "hidden=16", "--hp", "blocks=1", "--threads", "1", "--seed", "3", "--progress-seconds", "0", "--out", model.toString());
        assertEquals(0, train.exitCode(), train.err());
        String before = Files.readString(model.resolve(ModelCard.FILE));

        Cli bad = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "3", "--param", "timestep_spacing=trailing");
        assertNotEquals(0, bad.exitCode());
        assertTrue(bad.err().contains("timestep_spacing"), bad.err());
        assertEquals(before, Files.readString(model.resolve(ModelCard.FILE)), "a rejected run leaves the card alone");

        Cli tune = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "3,4", "--pilots", "8", "--grid", "10", "--sweeps", "1",
                "--threads", "1");
        assertEquals(0, tune.exitCode(), tune.err());
        assertTrue(tune.out().contains("jump costs") && tune.out().contains("3 evaluations: pilot endpoint error"), tune.out());
        ModelCard card = ModelCard.read(model.resolve(ModelCard.FILE));
        assertEquals(1, card.stepSchedules().size());
        Map<String, Object> times = (Map<String, Object>) card.stepSchedules().get(0).get("timesteps");
        List<Number> three = (List<Number>) times.get("3");
        assertEquals(3, three.size());
        assertEquals(999, three.get(0).doubleValue());
        assertTrue(three.get(0).doubleValue() > three.get(1).doubleValue() && three.get(1).doubleValue() > three.get(2).doubleValue()
                && three.get(2).doubleValue() > 0, three.toString());

        Cli tuned = Cli.run("sample", "--checkpoint", model.toString(), "--sampler", "unipc", "--steps", "3", "--n", "8", "--threads", "1",
                "--out", dir.resolve("a.npy").toString());
        assertEquals(0, tuned.exitCode(), tuned.err());
        assertTrue(tuned.out().contains("using the optimized step schedule") && tuned.out().contains("3 steps, 3 model evaluations"), tuned.out());
        Cli other = Cli.run("sample", "--checkpoint", model.toString(), "--sampler", "unipc", "--steps", "5", "--n", "8", "--threads", "1",
                "--out", dir.resolve("b.npy").toString());
        assertEquals(0, other.exitCode(), other.err());
        assertFalse(other.out().contains("optimized step schedule"), other.out());
        // a parameter the tuned schedule was not made with turns it off
        Cli different = Cli.run("sample", "--checkpoint", model.toString(), "--sampler", "unipc", "--steps", "3", "--param", "solver_order=3",
                "--n", "8", "--threads", "1", "--out", dir.resolve("c.npy").toString());
        assertEquals(0, different.exitCode(), different.err());
        assertFalse(different.out().contains("optimized step schedule"), different.out());

        // Align Your Steps instead of GITS: no jump costs, the entry for the same sampler replaced
        Cli ays = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "4", "--method", "ays", "--pilots", "8", "--grid", "10",
                "--sweeps", "0", "--threads", "1");
        assertEquals(0, ays.exitCode(), ays.err());
        assertTrue(ays.out().contains("AYS data predictions") && !ays.out().contains("jump costs")
                && ays.out().contains("4 evaluations: pilot endpoint error"), ays.out());
        ModelCard after = ModelCard.read(model.resolve(ModelCard.FILE));
        assertEquals(1, after.stepSchedules().size());
        List<Number> four = (List<Number>) ((Map<String, Object>) after.stepSchedules().get(0).get("timesteps")).get("4");
        assertEquals(4, four.size());
        for (int i = 1; i < 4; i++) {
            assertTrue(four.get(i).doubleValue() < four.get(i - 1).doubleValue() && four.get(i).doubleValue() >= 0, four.toString());
        }
        // Xue et al.'s error bound: model-free, neither jump costs nor AYS predictions
        Cli xue = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "4", "--method", "xue", "--pilots", "8", "--grid", "10",
                "--sweeps", "0", "--threads", "1");
        assertEquals(0, xue.exitCode(), xue.err());
        assertTrue(!xue.out().contains("AYS data predictions") && !xue.out().contains("jump costs")
                && xue.out().contains("4 evaluations: pilot endpoint error"), xue.out());
        Cli tooMany = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "4,20", "--grid", "10", "--threads", "1");
        assertNotEquals(0, tooMany.exitCode());
        assertTrue(tooMany.err().contains("--nfe") && tooMany.err().contains("--grid") && !tooMany.out().contains("tuning"), tooMany.err());
        Cli wrong = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "4", "--method", "karras");
        assertNotEquals(0, wrong.exitCode());
        assertTrue(wrong.err().contains("--method"), wrong.err());

        // the bespoke solver: times and coefficients in a second entry, both used by sample
        Cli bespoke = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "3", "--sampler", "bespoke", "--pilots", "8",
                "--grid", "10", "--sweeps", "1", "--bespoke-runs", "60", "--threads", "1");
        assertEquals(0, bespoke.exitCode(), bespoke.err());
        assertTrue(bespoke.out().contains("bespoke coefficients (history 6): pilot error")
                && bespoke.out().contains("least squares on the start's times"), bespoke.out());
        // the fit's targets are interpolated between the grid times, and the interpolation's error is printed: small next to the fit's
        double deviation = Double.parseDouble(bespoke.out().replaceAll("(?s).*largest mean \\|interpolated - solved\\| (\\S+)\n.*", "$1"));
        assertTrue(deviation < 0.1 * Double.parseDouble(bespoke.out().replaceAll("(?s).*pilot error (\\S+) ->.*", "$1")), bespoke.out());
        ModelCard withBespoke = ModelCard.read(model.resolve(ModelCard.FILE));
        assertEquals(2, withBespoke.stepSchedules().size());
        Map<String, Object> entry = withBespoke.stepSchedules().get(1);
        assertEquals("bespoke", entry.get("sampler"));
        List<Number> stored = (List<Number>) ((Map<String, Object>) entry.get("coefficients")).get("3");
        assertEquals(9, stored.size());
        assertEquals(stored, withBespoke.tunedSteps("bespoke", Map.of(), 3, null).get("coefficients"));
        Cli sampled = Cli.run("sample", "--checkpoint", model.toString(), "--sampler", "bespoke", "--steps", "3", "--n", "8", "--threads", "1",
                "--out", dir.resolve("d.npy").toString());
        assertEquals(0, sampled.exitCode(), sampled.err());
        assertTrue(sampled.out().contains("using the optimized step schedule") && sampled.out().contains("3 steps, 3 model evaluations"),
                sampled.out());
        Cli unconditional = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "4", "--grid", "10", "--guidance", "cfg",
                "--threads", "1");
        assertNotEquals(0, unconditional.exitCode());
        assertTrue(unconditional.err().contains("class-conditional") && !unconditional.out().contains("tuning"), unconditional.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void tunesForTheGuidedThresholdedFlowOfAConditionalModel(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("run");
        Cli train = Cli.run("train", "--dataset", "8gaussians", "--conditional", "--data-size", "500", "--train-steps", "20", "--batch", "64",
                "--warmup", "5", "--hp", "hidden=16", "--hp", "blocks=1", "--threads", "1", "--seed", "3", "--progress-seconds", "0",
                "--out", model.toString());
        assertEquals(0, train.exitCode(), train.err());
        List<String> common = List.of("tune-steps", "--checkpoint", model.toString(), "--nfe", "3", "--pilots", "8", "--grid", "10",
                "--sweeps", "0", "--sampler", "dpmsolver-multistep", "--param", "thresholding=true", "--threads", "1");

        Cli unguided = Cli.run(common.toArray(String[]::new));
        assertEquals(0, unguided.exitCode(), unguided.err());
        List<String> guidedArgs = new java.util.ArrayList<>(common);
        guidedArgs.addAll(List.of("--guidance", "cfg", "--scale", "3"));
        Cli guided = Cli.run(guidedArgs.toArray(String[]::new));
        assertEquals(0, guided.exitCode(), guided.err());
        assertTrue(guided.out().contains("guided by cfg {scale=3.0, thresholding=true}, classes in turn"), guided.out());
        // the pilots follow another flow, so the same spacings end at other errors
        assertNotEquals(pilotErrors(unguided.out()), pilotErrors(guided.out()));

        ModelCard card = ModelCard.read(model.resolve(ModelCard.FILE));
        assertEquals(2, card.stepSchedules().size(), "the guided entry sits next to the unguided one for the same sampler parameters");
        Map<String, Object> entry = card.stepSchedules().get(1);
        assertEquals(Map.of("type", "cfg", "scale", 3.0, "thresholding", true), entry.get("guidance"));
        assertEquals(Map.of("thresholding", true, "final_sigmas_type", "sigma_min"), entry.get("parameters"));
        List<Number> guidedTimes = (List<Number>) ((Map<String, Object>) entry.get("timesteps")).get("3");
        List<Number> unguidedTimes = (List<Number>) ((Map<String, Object>) card.stepSchedules().get(0).get("timesteps")).get("3");
        assertEquals(3, guidedTimes.size());

        // sampling finds the schedule tuned under its own guidance, and none under another scale
        List<String> sample = List.of("sample", "--checkpoint", model.toString(), "--sampler", "dpmsolver-multistep", "--param",
                "thresholding=true", "--steps", "3", "--n", "4", "--threads", "1");
        Cli plain = Cli.run(concat(sample, "--out", dir.resolve("plain.npy").toString()));
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(plain.out().contains("timesteps=" + unguidedTimes), plain.out());
        Cli atThree = Cli.run(concat(sample, "--guidance", "cfg", "--scale", "3.0", "--class", "all", "--out", dir.resolve("w3.npy").toString()));
        assertEquals(0, atThree.exitCode(), atThree.err());
        assertTrue(atThree.out().contains("timesteps=" + guidedTimes), atThree.out());
        Cli atTwo = Cli.run(concat(sample, "--guidance", "cfg", "--scale", "2", "--class", "all", "--out", dir.resolve("w2.npy").toString()));
        assertEquals(0, atTwo.exitCode(), atTwo.err());
        assertFalse(atTwo.out().contains("using the optimized step schedule"), atTwo.out());
        assertTrue(atTwo.err().contains("tuned under guidance [none, cfg {scale=3.0}], not this run's (cfg {scale=2.0})"), atTwo.err());

        Cli scaleAlone = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "3", "--scale", "3");
        assertNotEquals(0, scaleAlone.exitCode());
        assertTrue(scaleAlone.err().contains("--guidance") && scaleAlone.err().contains("--scale"), scaleAlone.err());
        Cli classifier = Cli.run("tune-steps", "--checkpoint", model.toString(), "--nfe", "3", "--guidance", "classifier");
        assertNotEquals(0, classifier.exitCode());
        assertTrue(classifier.err().contains("--guidance") && classifier.err().contains("must be cfg"), classifier.err());
    }

    private static String[] concat(List<String> first, String... more) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** The best hand-made spacings' pilot endpoint errors ("best hand-made, NAME: ERROR;") of a tune-steps output. */
    private static List<String> pilotErrors(String out) {
        return out.lines().filter(l -> l.contains("pilot endpoint error")).map(l -> l.replaceAll(".*best hand-made, \\S+ ([0-9.e+-]+);.*", "$1"))
                .toList();
    }
}
