package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleCommandTest {
    private static final String MIXTURE = "{\"weights\": [0.6, 0.4], \"means\": [[-1.0, 0.5], [1.0, -0.5]], \"stds\": [0.3, 0.2]}";

    private static Path mixture(Path dir) {
        Path file = dir.resolve("mixture.json");
        org.ddpm4j.toolkit.io.AtomicFiles.writeString(file, MIXTURE);
        return file;
    }

    private static Map<String, Object> ddimConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("_class_name", "DDIMScheduler");
        c.put("_diffusers_version", "0.30.0");
        c.put("beta_schedule", "linear");
        c.put("clip_sample", false);
        c.put("prediction_type", "v_prediction");
        c.put("timestep_spacing", "trailing");
        return c;
    }

    @Test
    void replaysSavedNoiseThroughASchedulerConfig(@TempDir Path dir) {
        Path noise = dir.resolve("noise.npy");
        float[] values = {0.5f, -1.25f, 2.0f, 0.125f, -0.75f, 1.5f};
        Npy.writeFloats(noise, values, 3, 2);
        Path config = dir.resolve("scheduler_config.json");
        Json.write(ddimConfig(), config);
        Path out = dir.resolve("samples.npy");
        Cli r = Cli.run("sample", "--denoiser", "gmm:" + mixture(dir), "--init-noise", noise.toString(), "--scheduler-config", config.toString(),
                "--steps", "20", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("3 samples of [2], ddim on linear, 20 steps, 20 model evaluations"), r.out());
        Npy.Array written = Npy.read(out);
        assertTrue(written.doublePrecision());
        assertArrayEquals(new int[] {3, 2}, written.shape());

        // the same through the library: the mapping, the denoiser asked for v, the sampler
        PluginRegistry registry = PluginRegistry.load();
        JavaBackend backend = new JavaBackend();
        DiffusersScheduler d = DiffusersScheduler.read(ddimConfig(), "c", Map.of("steps", 20), registry);
        var model = registry.createDenoiser("gmm", backend, d.schedule(), Parameters.of("path", dir.resolve("mixture.json").toString()))
                .as(d.predictionType(), d.schedule());
        Tensor expected = d.sampler().sample(model, backend.fromHost(values, 3, 2), SampleOptions.defaults().withSeed(1));
        assertArrayEquals(expected.toDoubleArray(), written.data(), 0.0);
    }

    /** A FlowMatch config with dynamic shifting: the CLI reproduces diffusers' run (tools/diffusers-reference/generate_flow_fixtures.py). */
    @Test
    @SuppressWarnings("unchecked")
    void samplesAFlowModelThroughAFlowMatchConfig(@TempDir Path dir) throws java.io.IOException {
        Map<String, Object> fixture = Json.readObject(Path.of("../ddpm-samplers/src/test/resources/diffusers/flow_loops.json"));
        Map<String, Object> c = ((java.util.List<Map<String, Object>>) fixture.get("cases")).stream()
                .filter(k -> k.get("name").equals("euler-dynamic-exponential")).findFirst().orElseThrow();
        Path mixture = dir.resolve("mix.json");
        Json.write(fixture.get("mixture"), mixture);
        double[] noiseValues = ((java.util.List<java.util.List<Number>>) fixture.get("noise")).stream().flatMap(java.util.List::stream)
                .mapToDouble(Number::doubleValue).toArray();
        Path noise = dir.resolve("noise.npy");
        Npy.writeDoubles(noise, noiseValues, 8, 2);
        Path config = dir.resolve("flow.json");
        Json.write(c.get("config"), config);
        Path out = dir.resolve("out.npy");
        Cli r = Cli.run("sample", "--denoiser", "gmm:" + mixture, "--init-noise", noise.toString(), "--scheduler-config", config.toString(),
                "--steps", "8", "--param", "mu=0.8", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("8 samples of [2], flow-euler on rectified-flow, 8 steps, 8 model evaluations"), r.out());
        double[] expected = ((java.util.List<java.util.List<Number>>) c.get("samples")).stream().flatMap(java.util.List::stream)
                .mapToDouble(Number::doubleValue).toArray();
        assertArrayEquals(expected, Npy.read(out).data(), 1e-5);

        assertError("flow.json.mu = 'missing': use_dynamic_shifting needs the shift mu", "sample", "--denoiser", "gmm:" + mixture, "--init-noise",
                noise.toString(), "--scheduler-config", config.toString(), "--steps", "8", "--out", dir.resolve("x.npy").toString());
        assertError("is not a flow-matching path", "sample", "--denoiser", "gmm:" + mixture, "--n", "2", "--sampler", "flow-euler",
                "--out", dir.resolve("y.npy").toString());
    }

    @Test
    void customTimestepsAreOneParamLikeInAJsonConfiguration(@TempDir Path dir) {
        Path out = dir.resolve("samples.npy");
        Cli r = Cli.run("sample", "--denoiser", "gmm:" + mixture(dir), "--n", "3", "--sampler", "ddim", "--param", "timesteps=[999,500,0]",
                "--param", "clip_sample=false", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("ddim on linear, 3 steps, 3 model evaluations"), r.out());
    }

    @Test
    void noiseFromASeedIsReproducible(@TempDir Path dir) {
        Path mixture = mixture(dir);
        double[][] runs = new double[3][];
        long[] seeds = {7, 7, 8};
        for (int i = 0; i < 3; i++) {
            Path out = dir.resolve("s" + i + ".npy");
            Cli r = Cli.run("sample", "--denoiser", "gmm:" + mixture, "--n", "4", "--sampler", "ddpm", "--param", "clip_sample=false",
                    "--steps", "50", "--seed", Long.toString(seeds[i]), "--out", out.toString());
            assertEquals(0, r.exitCode(), r.err());
            runs[i] = Npy.read(out).data();
        }
        assertArrayEquals(runs[0], runs[1], 0.0);
        assertFalse(java.util.Arrays.equals(runs[0], runs[2]));
    }

    /** Without --sampler: DPM-Solver++ in 25 steps, named in the last line; --steps still counts; --model is the old --denoiser. */
    @Test
    void withoutASamplerItUsesDpmSolverPlusPlusAndSaysSo(@TempDir Path dir) {
        Path out = dir.resolve("x.npy");
        Cli r = Cli.run("sample", "--denoiser", "gmm:" + mixture(dir), "--n", "8", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("sampler: dpmsolver++ with 25 steps (the default") && r.out().contains("25 steps"), r.err() + r.out());
        r = Cli.run("sample", "--model", "gmm:" + mixture(dir), "--n", "8", "--steps", "10", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("sampler: dpmsolver++ with 10 steps") && r.out().contains("10 steps"), r.err() + r.out());
    }

    @Test
    void badInputIsOneClearLine(@TempDir Path dir) {
        Path mixture = mixture(dir);
        Path noise = dir.resolve("noise.npy");
        Npy.writeDoubles(noise, new double[9], 3, 3);
        String out = dir.resolve("s.npy").toString();
        assertError("--init-noise = '" + noise + " of shape [3, 3]': must hold noise of shape [n, 2]",
                "sample", "--denoiser", "gmm:" + mixture, "--init-noise", noise.toString(), "--sampler", "ddim", "--out", out);
        assertError("sampler.steps = 0: must be an integer in [1, 1000]",
                "sample", "--denoiser", "gmm:" + mixture, "--n", "2", "--sampler", "ddim", "--steps", "0", "--out", out);
        assertError("sampler.eta = 1.5: must lie in [0.0, 1.0]",
                "sample", "--denoiser", "gmm:" + mixture, "--n", "2", "--sampler", "ddim", "--eta", "1.5", "--out", out);
        assertError("sampler.eta = 0.5: unknown parameter of sampler",
                "sample", "--denoiser", "gmm:" + mixture, "--n", "2", "--sampler", "heun", "--eta", "0.5", "--out", out);
        assertError("needs a continuous-time schedule",
                "sample", "--denoiser", "gmm:" + mixture, "--n", "2", "--sampler", "pc", "--out", out);
        assertError("--denoiser = 'model.pt': must be gmm:FILE",
                "sample", "--denoiser", "model.pt", "--n", "2", "--sampler", "ddim", "--out", out);
        Path config = dir.resolve("scheduler_config.json");
        Map<String, Object> c = ddimConfig();
        c.put("clip_sample", "yes");
        Json.write(c, config);
        assertError("scheduler_config.json.clip_sample = 'yes': must be true or false",
                "sample", "--denoiser", "gmm:" + mixture, "--n", "2", "--scheduler-config", config.toString(), "--out", out);
        assertFalse(java.nio.file.Files.exists(Path.of(out)), "a failed run writes nothing");
    }

    private static void assertError(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), r.err());
    }

    @Test
    void benchSamplersPrintsTheTable(@TempDir Path dir) {
        Cli r = Cli.run("bench", "samplers", "--denoiser", "gmm:" + mixture(dir), "--n", "8", "--steps", "10", "--tune-nfe", "4",
                "--tune-pilots", "4", "--tune-grid", "8", "--tune-sweeps", "1", "--bespoke-pilots", "16", "--bespoke-runs", "40");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("| 4 | best of diffusers with any list: ") && r.out().contains("| 4 | ddpm4j UniPC-2, GITS + descent |"), r.out());
        // Xue's rows for every tuned sampler; iPNDM-4 tuned without GITS
        assertTrue(r.out().contains("| 4 | ddpm4j UniPC-2, Xue |") && r.out().contains("| 4 | ddpm4j DPM-Solver++(2M), Xue (carried) |")
                && r.out().contains("| 4 | ddpm4j iPNDM-4, Xue + descent |") && !r.out().contains("iPNDM-4, GITS"), r.out());
        assertTrue(r.out().contains("| 4 | ddpm4j bespoke start: DPM-Solver++(2M) on ") && r.out().contains("| 4 | ddpm4j bespoke, "), r.out());
        // the least-squares bespoke rows (default history 6), the interpolated targets' check and the tails line
        assertTrue(r.out().contains("| 4 | ddpm4j bespoke, least squares (history 6) on the start's times |")
                && r.out().contains("| 4 | ddpm4j bespoke, least squares (history 6) + times + polish, ")
                && r.out().contains("Bespoke pilots' exact states between the") && r.out().contains("tails at 4 evaluations: diffusers' best"), r.out());
        assertTrue(r.out().contains("| ddim | timestep_spacing=trailing, set_alpha_to_one=false, clip_sample=false | 10 | 10 |"), r.out());
        assertTrue(r.out().contains("| heun | timestep_spacing=trailing, final_sigmas_type=sigma_min | 10 | 20 |"), r.out());
        assertTrue(r.out().contains("best at <= 10 evaluations: "), r.out());
    }

    @Test
    void benchVariancePrintsBothTablesAndNeedsAMixture(@TempDir Path dir) {
        Cli r = Cli.run("bench", "variance", "--denoiser", "gmm:" + mixture(dir), "--n", "20", "--steps", "5");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("| analytic |") && r.out().contains("| fixed_large |") && r.out().contains("| 5 |"), r.out());
        Cli bad = Cli.run("bench", "variance", "--denoiser", "gmm:" + mixture(dir), "--n", "2");
        assertEquals(2, bad.exitCode(), bad.out());
        assertTrue(bad.err().contains("--n"), bad.err());
    }
}
