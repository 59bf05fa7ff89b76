package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.core.pipeline.Noise;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.samplers.ProbabilityFlowOde;
import org.ddpm4j.samplers.BespokeSampler;
import org.ddpm4j.samplers.steps.AlignYourSteps;
import org.ddpm4j.samplers.steps.ErrorBoundSteps;
import org.ddpm4j.samplers.steps.BespokeLeastSquares;
import org.ddpm4j.samplers.steps.DenseTrajectory;
import org.ddpm4j.samplers.steps.BespokeOptimizer;
import org.ddpm4j.samplers.steps.HandMadeSpacings;
import org.ddpm4j.samplers.steps.StepScheduleOptimizer;
import org.ddpm4j.toolkit.guidance.FixedCondition;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Optimizes where a sampler places its steps for one trained model, at given numbers of
 * evaluations, and writes the schedules into the model card; {@code ddpm sample} then uses them
 * when asked for that sampler and number of steps. Tuned on pilot noise against the model's own
 * probability flow (adaptive solver): GITS dynamic programming over a fine grid (or Align Your Steps
 * with {@code --method ays}, or Xue et al.'s least solver error bound with {@code --method xue}), then descent on the sampler's endpoint error, keeping whichever of that and the best hand-made spacing (also
 * descended) ends lower on the pilots. With {@code --guidance cfg --scale W} the pilots follow the
 * guided flow (classes in turn), which is what guided sampling then discretizes.
 */
@Command(name = "tune-steps", mixinStandardHelpOptions = true,
        description = "Optimize the step schedule of a sampler for a trained model and store it in its model card.",
        footer = {"", "Example:", "  ddpm tune-steps --checkpoint runs/moons --nfe 5,8,10 --sampler unipc --param solver_order=2",
                "  ddpm tune-steps --checkpoint runs/moons --nfe 5,8,10 --method ays",
                "  ddpm tune-steps --checkpoint runs/moons --nfe 5,8,10 --method xue",
                "  ddpm tune-steps --checkpoint runs/fashion --nfe 5,8,10 --sampler dpmsolver-multistep --param thresholding=true --guidance cfg --scale 3"})
final class TuneStepsCommand implements Runnable {
    /** Quadrature points of the AYS KLUB inside each grid interval. */
    private static final int AYS_SUBDIVISIONS = 4;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "A model directory written by 'ddpm train'.")
    Path checkpoint;

    @Option(names = "--nfe", required = true, split = ",", paramLabel = "N", description = "Numbers of model evaluations (= steps) to tune for.")
    List<Integer> nfe;

    @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "unipc",
            description = "A sampler with one evaluation per step that takes fractional timesteps: unipc, dpmsolver-multistep, ipndm or bespoke "
                    + "(also learns its coefficients, --bespoke-runs) (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter, e.g. solver_order=2 (repeatable).")
    Map<String, String> samplerParams = new LinkedHashMap<>();

    /** Where the descent starts besides the best hand-made spacing. */
    enum Method {
        gits, ays, xue
    }

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "gits",
            description = "The schedule the descent starts from besides the best hand-made one: gits (Chen et al. 2024, dynamic program on "
                    + "one-step errors), ays (Align Your Steps, Sabour et al. 2024, least KL upper bound; cheaper: no jump costs) "
                    + "or xue (Xue et al. 2024, least bound of the solver's discretization error; model-free, no model evaluations) "
                    + "(default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--pilots", paramLabel = "N", defaultValue = "32", description = "Pilot samples (default: ${DEFAULT-VALUE}).")
    int pilots;

    @Option(names = "--grid", paramLabel = "N", defaultValue = "40", description = "Fine grid points of the dynamic program (default: ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--sweeps", paramLabel = "N", defaultValue = "4", description = "Sweeps of the endpoint-error descent (default: ${DEFAULT-VALUE}).")
    int sweeps;

    @Option(names = "--tolerance", paramLabel = "TOL", defaultValue = "1e-6", description = "rtol = atol of the reference probability flow (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--bespoke-runs", paramLabel = "N", defaultValue = "300",
            description = "With --sampler bespoke: solver runs of the search over its times, its coefficients fitted by least squares at each, "
                    + "per budget (default: ${DEFAULT-VALUE}).")
    int bespokeRuns;

    @Option(names = "--bespoke-polish-runs", paramLabel = "N", defaultValue = "0",
            description = "With --sampler bespoke: solver runs of a joint search of times and coefficients after the fit (default: ${DEFAULT-VALUE}).")
    int bespokePolishRuns;

    @Option(names = "--bespoke-history", paramLabel = "H", defaultValue = "6",
            description = "With --sampler bespoke: data predictions each step combines (default: ${DEFAULT-VALUE}).")
    int bespokeHistory;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "12345", description = "Seed of the pilot noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--guidance", paramLabel = "cfg", description = "Tune for classifier-free guidance of a class-conditional model: the "
            + "pilots (classes in turn) follow the guided flow. The sampler's thresholding, if on, is applied by the guidance too, so "
            + "the reference flow is the thresholded one the sampler discretizes.")
    String guidance;

    @Option(names = "--scale", paramLabel = "W", description = "Guidance scale w of --guidance cfg (default: the plugin's, 3).")
    Double scale;

    @Option(names = "--guidance-param", paramLabel = "KEY=VALUE", description = "A guidance parameter, e.g. guidance_rescale=0.7 (repeatable).")
    Map<String, String> guidanceParams = new LinkedHashMap<>();

    @Mixin
    ModelBackend backendChoice;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (!List.of("unipc", "dpmsolver-multistep", "ipndm", BespokeSampler.NAME).contains(sampler)) {
            throw new InvalidParameterException("--sampler", sampler,
                    "must be unipc, dpmsolver-multistep, ipndm or bespoke (one evaluation per step, fractional timesteps)");
        }
        for (int n : nfe) {
            Checks.atLeast("--nfe", n, 1);
        }
        Map<String, Object> parameters = new LinkedHashMap<>(KeyValues.parse(samplerParams));
        for (String key : List.of("steps", "timesteps", "coefficients", "timestep_spacing", "use_karras_sigmas", "use_lu_lambdas", "use_exponential_sigmas",
                "use_beta_sigmas")) {
            if (parameters.containsKey(key)) {
                throw new InvalidParameterException("--param " + key, parameters.get(key), "places the steps, which is what tune-steps does; leave it out");
            }
        }
        // the schedules end at sigma_min (model time 0), where the reference endpoint is defined
        parameters.putIfAbsent("final_sigmas_type", "sigma_min");
        PrintWriter out = spec.commandLine().getOut();
        ModelSource source = ModelSource.checkpoint("--checkpoint", checkpoint);
        ModelCard card = source.card();
        Map<String, Object> timesteps = new LinkedHashMap<>();
        Map<String, Object> coefficients = new LinkedHashMap<>();
        // the pipeline's sampler is built now, so parameters it rejects fail before the long part
        PipelineConfig config = PipelineConfig.of(backendChoice.config(source)).withSampler(new ComponentConfig(sampler, parameters));
        ComponentConfig guided = guidanceEntry(parameters);
        if (guided != null) {
            config = config.withGuidance(guided);
        }
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(source))) {
            Schedule schedule = pipeline.schedule();
            DiscreteSchedule discrete = SamplerParameters.discrete(schedule, sampler);
            // checked before the reference flow, the long part: a path of N jumps needs N + 1 grid times
            double[] fineGrid = StepScheduleOptimizer.grid(discrete, Checks.atLeast("--grid", grid, 4));
            for (int n : nfe) {
                if (n > fineGrid.length - 1) {
                    throw new InvalidParameterException("--nfe", n, "must be at most " + (fineGrid.length - 1) + " with --grid " + grid
                            + " (" + fineGrid.length + " distinct times); raise --grid");
                }
            }
            TensorBackend backend = pipeline.backend();
            Checks.atLeast("--pilots", pilots, 1);
            // the search samples without a condition: a guided model is asked for the pilots' classes whatever it is given
            Denoiser model = guided == null ? pipeline.model() : FixedCondition.of(pipeline.model(), classesInTurn(pipeline.model().numClasses()));
            Tensor noise = Noise.seeded(model, backend, pilots, seed);
            ProbabilityFlowOde ode = new ProbabilityFlowOde(schedule, tolerance, tolerance, ProbabilityFlowOde.Method.DOPRI8, 10_000_000);
            StepScheduleOptimizer.SamplerFactory factory = t -> {
                Map<String, Object> p = new LinkedHashMap<>(parameters);
                p.put("timesteps", HandMadeSpacings.asList(t));
                return pipeline.sampler(new ComponentConfig(sampler, p));
            };
            long started = System.nanoTime();
            out.printf(Locale.ROOT, "tuning %s %s for %s on %d pilot samples%s: reference flow on a grid of %d times ...%n", sampler, parameters,
                    checkpoint, pilots, guided == null ? "" : " guided by " + guided.type() + " " + guided.parameters() + ", classes in turn", grid);
            out.flush();
            StepScheduleOptimizer optimizer = new StepScheduleOptimizer(factory, model, (x, from, to) -> ode.solve(model, x, from, to,
                    Condition.none()), noise, fineGrid);
            int rows = optimizer.grid().length - 1;
            double[][] costs = method == Method.gits ? optimizer.jumpCosts(false, row -> {
                if (row % 5 == 0 || row == rows) {
                    out.printf(Locale.ROOT, "  jump costs %d/%d rows, %.0f s%n", row, rows, (System.nanoTime() - started) / 1e9);
                    out.flush();
                }
            }) : null;
            BespokeOptimizer bespoke = sampler.equals(BespokeSampler.NAME) ? bespokeOptimizer(pipeline, model, discrete, optimizer, ode,
                    parameters, out, started) : null;
            BespokeLeastSquares fit = bespoke == null ? null : new BespokeLeastSquares(bespokeFactory(pipeline, parameters), model, optimizer.pilots(),
                    exactStates(optimizer, model, discrete, out), bespokeHistory, BespokeLeastSquares.DEFAULT_RIDGE, 0);
            AlignYourSteps ays = method == Method.ays ? alignYourSteps(model, discrete, optimizer, backend, out, started) : null;
            for (int n : nfe) {
                String bestName = null;
                double[] bestStart = null;
                double bestError = Double.POSITIVE_INFINITY;
                for (Map.Entry<String, double[]> e : HandMadeSpacings.all(discrete, n).entrySet()) {
                    double error = optimizer.endpointError(e.getValue());
                    if (error < bestError) {
                        bestError = error;
                        bestName = e.getKey();
                        bestStart = e.getValue();
                    }
                }
                double[] start = switch (method) {
                    case gits -> optimizer.cheapestPath(costs, n);
                    case ays -> ays.schedule(n);
                    case xue -> errorBound(optimizer, discrete, parameters, n);
                };
                double[] fromMethod = optimizer.descend(start, Checks.atLeast("--sweeps", sweeps, 0));
                double[] fromHandMade = optimizer.descend(bestStart, sweeps);
                double methodError = optimizer.endpointError(fromMethod);
                double handError = optimizer.endpointError(fromHandMade);
                double[] chosen = methodError <= handError ? fromMethod : fromHandMade;
                out.printf(Locale.ROOT, "  %d evaluations: pilot endpoint error %.3e from %s + descent (best hand-made, %s: %.3e; %.1fx less), %.0f s%n",
                        n, Math.min(methodError, handError), methodError <= handError ? method : bestName, bestName, bestError,
                        bestError / Math.min(methodError, handError),
                        (System.nanoTime() - started) / 1e9);
                out.flush();
                if (bespoke != null) {
                    BespokeOptimizer.Solver learned = learn(bespoke, fit, chosen, out, started);
                    chosen = learned.timesteps();
                    coefficients.put(String.valueOf(n), HandMadeSpacings.asList(learned.coefficients()));
                }
                timesteps.put(String.valueOf(n), HandMadeSpacings.asList(chosen));
            }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("sampler", sampler);
        entry.put("parameters", parameters);
        if (guided != null) {
            entry.put("guidance", guided.toMap());
        }
        entry.put("timesteps", timesteps);
        if (!coefficients.isEmpty()) {
            entry.put("coefficients", coefficients);
        }
        Path file = checkpoint.resolve(ModelCard.FILE);
        card.withStepSchedule(entry).write(file);
        out.printf(Locale.ROOT, "wrote step schedules for %s %s at %s evaluations into %s%n", sampler, parameters, timesteps.keySet(), file);
        out.flush();
    }

    /**
     * Xue et al.'s schedule for the sampler's order, with weight 1 or carried to t = 0 by the flow of
     * data of the pilots' spread, whichever has the lower pilot error.
     */
    private double[] errorBound(StepScheduleOptimizer optimizer, DiscreteSchedule discrete, Map<String, Object> parameters, int n) {
        // the samplers' own default orders: iPNDM 4, DPM-Solver++ and UniPC 2
        int order = Integer.parseInt(String.valueOf(parameters.getOrDefault("solver_order", sampler.equals("ipndm") ? 4 : 2)));
        ErrorBoundSteps bound = new ErrorBoundSteps(discrete, ErrorBoundSteps.Solver.of(sampler), order);
        Map<String, double[]> variants = bound.variants(optimizer.exactEndpoints(), n);
        return variants.get(optimizer.leastError(variants));
    }

    /**
     * The bespoke solver's optimizer: fitted on the pilots (their exact endpoints from {@code optimizer}),
     * the fit kept only if better on as many held-out samples of their own seed (their reference flow solved here).
     */
    private BespokeOptimizer bespokeOptimizer(Pipeline pipeline, Denoiser model, DiscreteSchedule discrete, StepScheduleOptimizer optimizer,
            ProbabilityFlowOde ode, Map<String, Object> parameters, PrintWriter out, long started) {
        Checks.atLeast("--bespoke-runs", bespokeRuns, 1);
        Tensor heldOut = Noise.seeded(model, pipeline.backend(), pilots, seed + 2);
        double[] grid = optimizer.grid();
        Tensor heldOutEnds = ode.solve(model, heldOut, grid[0], 0, Condition.none());
        out.printf(Locale.ROOT, "  reference flow of %d held-out samples, %.0f s%n", pilots, (System.nanoTime() - started) / 1e9);
        out.flush();
        return new BespokeOptimizer(bespokeFactory(pipeline, parameters), model, discrete, optimizer.pilots(), optimizer.exactEndpoints(), heldOut,
                heldOutEnds);
    }

    /**
     * The pilots' exact states at any step time for the least-squares fit: interpolated between the
     * optimizer's grid times (one model evaluation per grid time; solving each target from the grid
     * would cost a reference flow per step time of every point of the search), with the interpolation's
     * largest deviation from the solved flow printed.
     */
    private static DenseTrajectory exactStates(StepScheduleOptimizer optimizer, Denoiser model, DiscreteSchedule discrete, PrintWriter out) {
        DenseTrajectory dense = new DenseTrajectory(optimizer, model, discrete);
        out.printf(Locale.ROOT, "  pilots' exact states between the %d grid times by interpolation: largest mean |interpolated - solved| %.1e%n",
                optimizer.grid().length, dense.deviation());
        out.flush();
        return dense;
    }

    private BespokeOptimizer.SamplerFactory bespokeFactory(Pipeline pipeline, Map<String, Object> parameters) {
        return (t, c) -> {
            Map<String, Object> p = new LinkedHashMap<>(parameters);
            p.put("timesteps", HandMadeSpacings.asList(t));
            p.put("coefficients", HandMadeSpacings.asList(c));
            return pipeline.sampler(new ComponentConfig(sampler, p));
        };
    }

    /** Times and least-squares coefficients learned from the tuned {@code times}; the start (zero coefficients) if the fit loses on the held-out samples. */
    private BespokeOptimizer.Solver learn(BespokeOptimizer bespoke, BespokeLeastSquares fit, double[] times, PrintWriter out, long started) {
        BespokeOptimizer.Result r = bespoke.fitted(bespoke.bestStart(Map.of("tuned", times)).solver(), fit, bespokeRuns,
                Checks.atLeast("--bespoke-polish-runs", bespokePolishRuns, 0));
        StringBuilder stages = new StringBuilder();
        for (BespokeOptimizer.Stage st : r.stages()) {
            stages.append(String.format(Locale.ROOT, "; %s %.3e (%d runs)", st.name(), st.pilotError(), st.runs()));
        }
        out.printf(Locale.ROOT, "    bespoke coefficients (history %d): pilot error %.3e -> %.3e, held-out %.3e -> %.3e (%d runs%s): %s, %.0f s%n",
                fit.history(), r.startPilot(), r.learnedPilot(), r.startHeldOut(), r.learnedHeldOut(), r.runs(), stages,
                r.chosen() == r.learned() ? "learned" : "start kept", (System.nanoTime() - started) / 1e9);
        out.flush();
        return r.chosen();
    }

    /**
     * The guidance entry of the options, or null: cfg with the scale, the guidance parameters and the
     * sampler's dynamic thresholding, so that the reference flow is the thresholded flow the sampler
     * follows (thresholding the data prediction inside the model or in the sampler is the same
     * update; applied twice it changes nothing, as the second finds the values within [-1, 1]).
     */
    private ComponentConfig guidanceEntry(Map<String, Object> samplerParameters) {
        if (guidance == null) {
            if (scale != null || !guidanceParams.isEmpty()) {
                throw new InvalidParameterException("--guidance", "missing", "--scale and --guidance-param need --guidance cfg");
            }
            return null;
        }
        if (!guidance.equals("cfg")) {
            throw new InvalidParameterException("--guidance", guidance, "must be cfg (classifier-free guidance of a class-conditional model)");
        }
        Map<String, Object> p = new LinkedHashMap<>(KeyValues.parse(guidanceParams));
        if (scale != null) {
            p.put("scale", scale);
        }
        if (Boolean.parseBoolean(String.valueOf(samplerParameters.get("thresholding")))) {
            for (String key : List.of("thresholding", "dynamic_thresholding_ratio", "sample_max_value")) {
                if (samplerParameters.containsKey(key)) {
                    p.putIfAbsent(key, samplerParameters.get(key));
                }
            }
        }
        return new ComponentConfig(guidance, p);
    }

    /** The pilots' labels: every class in turn. */
    private Condition classesInTurn(int classes) {
        if (classes == 0) {
            throw new InvalidParameterException("--guidance", guidance, "needs a class-conditional model; " + checkpoint + " is unconditional");
        }
        int[] labels = new int[pilots];
        for (int i = 0; i < pilots; i++) {
            labels[i] = i % classes;
        }
        return Condition.classes(labels);
    }

    /** AYS on the optimizer's grid, from the pilots' exact end points (denoised at t = 0) and noise of its own seed. */
    private AlignYourSteps alignYourSteps(Denoiser model, DiscreteSchedule discrete, StepScheduleOptimizer optimizer, TensorBackend backend,
            PrintWriter out, long started) {
        Tensor end = optimizer.exactEndpoints();
        Tensor samples = model.as(Parameterization.SAMPLE, discrete).predict(end, 0.0, Condition.none());
        Tensor eps = Noise.seeded(backend, end.batchSize(), Arrays.copyOfRange(end.shape(), 1, end.shape().length), seed + 1);
        int points = (optimizer.grid().length - 1) * (AYS_SUBDIVISIONS + 1) + 1;
        return new AlignYourSteps(model, discrete, samples, eps, optimizer.grid(), AYS_SUBDIVISIONS, f -> {
            if (f % 20 == 0 || f == points) {
                out.printf(Locale.ROOT, "  AYS data predictions %d/%d times, %.0f s%n", f, points, (System.nanoTime() - started) / 1e9);
                out.flush();
            }
        });
    }
}
