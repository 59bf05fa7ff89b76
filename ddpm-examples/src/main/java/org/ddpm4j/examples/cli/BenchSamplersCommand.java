package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.Checks;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.examples.bench.StepScheduleBenchmark;
import org.ddpm4j.samplers.steps.BespokeLeastSquares;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.toolkit.io.OutputPaths;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.pipeline.Noise;
import org.ddpm4j.samplers.ProbabilityFlowOde;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The accuracy of every deterministic sampler against the exact endpoint of the probability-flow
 * ODE (the adaptive solver at a tight tolerance, started from each run's own first state), with the
 * number of denoiser evaluations it cost. Every configuration starts at the schedule's last
 * training step and stops at sigma_min, where the exact endpoint is defined.
 */
@Command(name = "samplers", mixinStandardHelpOptions = true,
        description = "Mean absolute error of the deterministic samplers against the exact probability-flow ODE endpoint; prints "
                + "a Markdown table.",
        footer = {"", "Example:", "  ddpm bench samplers --denoiser gmm:docs/benchmarks/gmm-2d.json",
                "  ddpm bench samplers --denoiser gmm:docs/benchmarks/gmm-2d.json --diffusers docs/benchmarks/diffusers-samplers.json"})
final class BenchSamplersCommand implements Runnable {

    /** One row group of the table: a sampler and its parameters (besides steps). */
    record Configuration(String sampler, Map<String, Object> parameters) {
        static Configuration of(String sampler, Object... keysAndValues) {
            Map<String, Object> p = new LinkedHashMap<>();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                p.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
            return new Configuration(sampler, p);
        }

        String label() {
            StringBuilder s = new StringBuilder();
            parameters.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append('=').append(v));
            return s.toString();
        }
    }

    /**
     * diffusers' placements (ending at sigma_min), then ours: fractional times spaced in log-SNR or in
     * sqrt(t), and iPNDM (log-SNR spacing unless given).
     */
    static final List<Configuration> CONFIGURATIONS = List.of(
            Configuration.of("ddim", "timestep_spacing", "trailing", "set_alpha_to_one", false, "clip_sample", false),
            Configuration.of("pndm", "timestep_spacing", "trailing"),
            Configuration.of("plms", "timestep_spacing", "trailing"),
            Configuration.of("euler", "timestep_spacing", "trailing", "final_sigmas_type", "sigma_min"),
            Configuration.of("heun", "timestep_spacing", "trailing", "final_sigmas_type", "sigma_min"),
            Configuration.of("lms", "timestep_spacing", "trailing", "final_sigmas_type", "sigma_min"),
            Configuration.of("dpmsolver-multistep", "solver_order", 2, "final_sigmas_type", "sigma_min"),
            Configuration.of("dpmsolver-multistep", "solver_order", 3, "final_sigmas_type", "sigma_min"),
            Configuration.of("dpmsolver-singlestep", "solver_order", 3, "final_sigmas_type", "sigma_min"),
            Configuration.of("unipc", "solver_order", 2, "final_sigmas_type", "sigma_min"),
            Configuration.of("unipc", "solver_order", 3, "final_sigmas_type", "sigma_min"),
            Configuration.of("heun", "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"),
            Configuration.of("lms", "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"),
            Configuration.of("dpmsolver-multistep", "solver_order", 3, "timestep_spacing", "logsnr", "final_sigmas_type", "sigma_min"),
            Configuration.of("unipc", "solver_order", 3, "timestep_spacing", "logsnr", "final_sigmas_type", "sigma_min"),
            Configuration.of("dpmsolver-multistep", "solver_order", 2, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"),
            Configuration.of("dpmsolver-multistep", "solver_order", 3, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"),
            Configuration.of("dpmsolver-singlestep", "solver_order", 3, "solver_type", "heun", "timestep_spacing", "quadratic",
                    "final_sigmas_type", "sigma_min"),
            Configuration.of("unipc", "solver_order", 2, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"),
            Configuration.of("unipc", "solver_order", 3, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"),
            Configuration.of("ipndm", "solver_order", 2, "final_sigmas_type", "sigma_min"),
            Configuration.of("ipndm", "solver_order", 3, "final_sigmas_type", "sigma_min"),
            Configuration.of("ipndm", "solver_order", 4, "final_sigmas_type", "sigma_min"),
            Configuration.of("ipndm", "solver_order", 3, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"),
            Configuration.of("ipndm", "solver_order", 4, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min"));

    @Option(names = "--denoiser", required = true, paramLabel = "KIND:FILE", description = "gmm:mixture.json or points:data.npy.")
    String denoiser;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "linear", description = "A discrete schedule plugin (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--n", paramLabel = "N", defaultValue = "256", description = "Samples per run (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", paramLabel = "N", split = ",", defaultValue = "10,25,50", description = "Step counts (default: ${DEFAULT-VALUE}).")
    List<Integer> steps;

    @Option(names = "--write-noise", paramLabel = "FILE", description = "Also write the noise (.npy), e.g. for tools/diffusers-reference/benchmark_diffusers_samplers.py.")
    Path writeNoise;

    @Option(names = "--diffusers", paramLabel = "FILE", description = "Endpoints of diffusers' schedulers on the same problem and noise, "
            + "written by tools/diffusers-reference/benchmark_diffusers_samplers.py: adds their errors.")
    Path diffusers;

    @Option(names = "--tune-nfe", paramLabel = "N", split = ",", defaultValue = "5,8,10,15,20",
            description = "Evaluation budgets at which step schedules are optimized for this denoiser and compared (default: ${DEFAULT-VALUE}).")
    List<Integer> tuneNfe;

    @Option(names = "--no-tune", description = "Skip the optimized step schedules.")
    boolean noTune;

    @Option(names = "--no-gits", description = "Leave GITS out of the optimized step schedules (its jump costs take most of their time).")
    boolean noGits;

    @Option(names = "--bespoke-runs", paramLabel = "N", defaultValue = "300",
            description = "Solver runs of the bespoke solver's search over the times (coefficients fitted by least squares at each) per budget; "
                    + "0 leaves the bespoke solver out (default: ${DEFAULT-VALUE}).")
    int bespokeRuns;

    @Option(names = "--bespoke-starts", paramLabel = "N", defaultValue = "1",
            description = "Start solvers (least pilot error first, distinct times) the bespoke search runs from; the least pilot error wins "
                    + "(default: ${DEFAULT-VALUE}).")
    int bespokeStarts;

    @Option(names = "--bespoke-polish-runs", paramLabel = "N", defaultValue = "0",
            description = "Solver runs of the joint search of times and coefficients after the least-squares fit (default: ${DEFAULT-VALUE}).")
    int bespokePolishRuns;

    @Option(names = "--bespoke-history", paramLabel = "H", split = ",", defaultValue = "6",
            description = "Data predictions each bespoke step combines; a list fits one solver per history (default: ${DEFAULT-VALUE}).")
    List<Integer> bespokeHistory;

    @Option(names = "--bespoke-ridge", paramLabel = "X", defaultValue = "" + BespokeLeastSquares.DEFAULT_RIDGE,
            description = "Relative ridge of the least-squares fit toward DPM-Solver++(2M) (default: ${DEFAULT-VALUE}).")
    double bespokeRidge;

    @Option(names = "--bespoke-robust", paramLabel = "N", defaultValue = "0",
            description = "Reweighted passes of the least-squares fit toward the mean absolute error (default: ${DEFAULT-VALUE}).")
    int bespokeRobust;

    @Option(names = "--bespoke-pilots", paramLabel = "N", defaultValue = "512",
            description = "Pilot samples of the bespoke solver, and as many held-out ones (default: ${DEFAULT-VALUE}).")
    int bespokePilots;

    @Option(names = "--tune-pilots", paramLabel = "N", defaultValue = "64", description = "Pilot samples for the optimized schedules (default: ${DEFAULT-VALUE}).")
    int tunePilots;

    @Option(names = "--tune-grid", paramLabel = "N", defaultValue = "60", description = "Fine grid points of the GITS dynamic program (default: ${DEFAULT-VALUE}).")
    int tuneGrid;

    @Option(names = "--tune-sweeps", paramLabel = "N", defaultValue = "8", description = "Sweeps of the pilot-error descent (default: ${DEFAULT-VALUE}).")
    int tuneSweeps;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (writeNoise != null) {
            OutputPaths.checkFile("--write-noise", writeNoise, ".npy");
        }
        PipelineConfig config = PipelineConfig.of(ComponentConfig.of("java")).withSchedule(ComponentConfig.of(schedule));
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(ModelSource.parse("--denoiser", denoiser)))) {
            compare(pipeline);
        }
    }

    /** Every configuration on the pipeline's model and schedule, against the exact flow. */
    private void compare(Pipeline pipeline) {
        TensorBackend backend = pipeline.backend();
        Schedule s = pipeline.schedule();
        Denoiser model = pipeline.model();
        Tensor noise = Noise.seeded(model, backend, n, seed);
        if (writeNoise != null) {
            Npy.writeDoubles(writeNoise, noise.toDoubleArray(), noise.shape());
        }
        ProbabilityFlowOde exact = new ProbabilityFlowOde(s, 1e-10, 1e-10, ProbabilityFlowOde.Method.DOPRI8, 10_000_000);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%d samples of %s, schedule %s; error = mean |x - x_exact| at sigma_min against the adaptive PF-ODE (rtol = atol = 1e-10)%n%n",
                n, denoiser, schedule);
        out.println("| sampler | configuration | steps | evaluations | error |");
        out.println("|---|---|---:|---:|---:|");
        Best best = new Best();
        for (Configuration c : CONFIGURATIONS) {
            for (int k : steps) {
                Sampler sampler = pipeline.sampler(new ComponentConfig(c.sampler(), Parameters.of(c.parameters()).with("steps", k).asMap()));
                Result r = run(sampler, model, noise, exact);
                out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.2e |%n", c.sampler(), c.label(), k, r.evaluations, r.error(r.endpoint));
                best.offer(c.sampler() + " " + c.label() + ", " + k + " steps", r.evaluations, r.error(r.endpoint));
                out.flush();
            }
        }
        Sampler ode = pipeline.sampler(new ComponentConfig("ode", Map.of("rtol", 1e-4, "atol", 1e-4)));
        Result adaptive = run(ode, model, noise, exact);
        out.printf(Locale.ROOT, "| ode | rtol=1e-4, atol=1e-4 (adaptive) | - | %d | %.2e |%n", adaptive.evaluations, adaptive.error(adaptive.endpoint));
        if (!noTune) {
            Tensor pilots = Noise.seeded(model, backend, Checks.atLeast("--tune-pilots", tunePilots, 1), seed + 1_000_003);
            StepScheduleBenchmark tuned = new StepScheduleBenchmark(pipeline::sampler, SamplerParameters.discrete(s, "bench samplers"), model, exact,
                    noise, pilots, tuneGrid, out);
            if (Checks.atLeast("--bespoke-runs", bespokeRuns, 0) > 0) {
                int p = Checks.atLeast("--bespoke-pilots", bespokePilots, 2);
                tuned.withBespoke(Noise.seeded(model, backend, p, seed + 3_000_017), Noise.seeded(model, backend, p, seed + 4_000_037), bespokeHistory,
                        bespokeRidge, Checks.atLeast("--bespoke-robust", bespokeRobust, 0), Checks.atLeast("--bespoke-starts", bespokeStarts, 1), bespokeRuns, Checks.atLeast("--bespoke-polish-runs",
                                bespokePolishRuns, 0));
            }
            for (StepScheduleBenchmark.Row r : tuned.run(tuneNfe, Checks.atLeast("--tune-sweeps", tuneSweeps, 0), !noGits)) {
                best.offer(r.label(), r.evaluations(), r.error());
            }
        }
        out.printf(Locale.ROOT, "%nbest at <= 10 evaluations: %s: %.2e%n", best.label, best.error);
        if (diffusers != null) {
            compareWithDiffusers(pipeline, model, noise, exact, best, out);
        }
        out.flush();
    }

    /** One run: its endpoint, its start (state and time), its end time and evaluations. */
    private record Result(Tensor endpoint, Tensor start, double from, double to, long evaluations, Tensor exact) {
        double error(Tensor x) {
            return x.sub(exact).abs().mean();
        }
    }

    private static Result run(Sampler sampler, Denoiser model, Tensor noise, ProbabilityFlowOde exact) {
        try (SamplingRun r = sampler.start(model, noise, SampleOptions.defaults())) {
            Tensor start = r.state().mul(1);
            double from = r.time();
            while (!r.isDone()) {
                r.step();
            }
            Tensor end = r.result();
            return new Result(end, start, from, r.time(), r.modelEvaluations(), exact.solve(model, start, from, r.time(), Condition.none()));
        }
    }

    /** The lowest error among the configurations within 10 evaluations. */
    private static final class Best {
        String label = "none";
        double error = Double.POSITIVE_INFINITY;

        void offer(String candidate, long evaluations, double value) {
            if (evaluations <= 10 && value < error) {
                label = candidate;
                error = value;
            }
        }
    }

    /**
     * diffusers' endpoints for its schedulers, configured as in the file, against the same exact
     * endpoints: our sampler from the same configuration gives the start state and time (and its
     * own error, which should agree with diffusers' to float32 rounding).
     */
    @SuppressWarnings("unchecked")
    private void compareWithDiffusers(Pipeline pipeline, Denoiser model, Tensor noise, ProbabilityFlowOde exact, Best ours, PrintWriter out) {
        Map<String, Object> file = Json.readObject(diffusers);
        out.printf(Locale.ROOT, "%ndiffusers' schedulers on the same problem and noise (%s):%n%n", file.get("generated_by"));
        out.println("| diffusers class | configuration | steps | evaluations | error (diffusers) | error (ddpm4j, same configuration) |");
        out.println("|---|---|---:|---:|---:|---:|");
        Best theirs = new Best();
        Best builtIn = new Best();
        for (Map<String, Object> row : (List<Map<String, Object>>) file.get("runs")) {
            Map<String, Object> config = (Map<String, Object>) row.get("config");
            int k = ((Number) row.get("steps")).intValue();
            // a custom list of timesteps is an argument of diffusers' set_timesteps, not a config key
            Map<String, Object> runParameters = row.get("timesteps") == null ? Map.of("steps", k) : Map.of("timesteps", row.get("timesteps"));
            DiffusersScheduler d = pipeline.diffusersScheduler(config, diffusers.getFileName().toString(), runParameters);
            Result r = run(d.sampler(), model.as(d.predictionType(), d.schedule()), noise, exact);
            List<List<Number>> points = (List<List<Number>>) row.get("samples");
            double[] flat = new double[points.size() * points.get(0).size()];
            int q = 0;
            for (List<Number> p : points) {
                for (Number v : p) {
                    flat[q++] = v.doubleValue();
                }
            }
            double theirError = r.error(noise.backend().fromHost(flat, r.endpoint.shape()));
            long evaluations = ((Number) row.get("evaluations")).longValue();
            Map<String, Object> shown = new LinkedHashMap<>(config);
            shown.keySet().removeIf(key -> key.startsWith("_") || key.startsWith("beta") || key.equals("num_train_timesteps"));
            if (row.get("timesteps") != null) {
                shown.put("timesteps", row.get("timesteps_label"));
            }
            out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.2e | %.2e |%n", config.get("_class_name"), shown, k, evaluations, theirError,
                    r.error(r.endpoint));
            theirs.offer(config.get("_class_name") + " " + shown + ", " + k + " steps", evaluations, theirError);
            if (row.get("timesteps") == null) {
                builtIn.offer(config.get("_class_name") + " " + shown + ", " + k + " steps", evaluations, theirError);
            }
        }
        out.printf(Locale.ROOT, "%nat <= 10 evaluations: ddpm4j best %.2e (%s)%n", ours.error, ours.label);
        out.printf(Locale.ROOT, "  diffusers best with its own timestep spacings: %.2e (%s), %.1fx ddpm4j's error%n", builtIn.error, builtIn.label,
                builtIn.error / ours.error);
        out.printf(Locale.ROOT, "  diffusers best including a custom timestep list: %.2e (%s), %.1fx ddpm4j's error%n", theirs.error, theirs.label,
                theirs.error / ours.error);
    }
}
