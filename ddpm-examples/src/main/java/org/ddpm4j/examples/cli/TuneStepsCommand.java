package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
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
import org.ddpm4j.samplers.steps.HandMadeSpacings;
import org.ddpm4j.samplers.steps.StepScheduleOptimizer;
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
 * probability flow (adaptive solver): GITS dynamic programming over a fine grid, then descent on
 * the sampler's endpoint error, keeping whichever of that and the best hand-made spacing (also
 * descended) ends lower on the pilots.
 */
@Command(name = "tune-steps", mixinStandardHelpOptions = true,
        description = "Optimize the step schedule of a sampler for a trained model and store it in its model card.",
        footer = {"", "Example:", "  ddpm tune-steps --checkpoint runs/moons --nfe 5,8,10 --sampler unipc --param solver_order=2"})
final class TuneStepsCommand implements Runnable {

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "A model directory written by 'ddpm train'.")
    Path checkpoint;

    @Option(names = "--nfe", required = true, split = ",", paramLabel = "N", description = "Numbers of model evaluations (= steps) to tune for.")
    List<Integer> nfe;

    @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "unipc",
            description = "A sampler with one evaluation per step that takes fractional timesteps: unipc or dpmsolver-multistep (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A sampler parameter, e.g. solver_order=2 (repeatable).")
    Map<String, String> samplerParams = new LinkedHashMap<>();

    @Option(names = "--pilots", paramLabel = "N", defaultValue = "32", description = "Pilot samples (default: ${DEFAULT-VALUE}).")
    int pilots;

    @Option(names = "--grid", paramLabel = "N", defaultValue = "40", description = "Fine grid points of the dynamic program (default: ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--sweeps", paramLabel = "N", defaultValue = "4", description = "Sweeps of the endpoint-error descent (default: ${DEFAULT-VALUE}).")
    int sweeps;

    @Option(names = "--tolerance", paramLabel = "TOL", defaultValue = "1e-6", description = "rtol = atol of the reference probability flow (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "12345", description = "Seed of the pilot noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ModelBackend backendChoice;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (!sampler.equals("unipc") && !sampler.equals("dpmsolver-multistep")) {
            throw new InvalidParameterException("--sampler", sampler, "must be unipc or dpmsolver-multistep (one evaluation per step, fractional timesteps)");
        }
        for (int n : nfe) {
            Checks.atLeast("--nfe", n, 1);
        }
        Map<String, Object> parameters = new LinkedHashMap<>(KeyValues.parse(samplerParams));
        for (String key : List.of("steps", "timesteps", "timestep_spacing", "use_karras_sigmas", "use_lu_lambdas", "use_exponential_sigmas",
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
        // the pipeline's sampler is built now, so parameters it rejects fail before the long part
        PipelineConfig config = PipelineConfig.of(backendChoice.config(source)).withSampler(new ComponentConfig(sampler, parameters));
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(source))) {
            Schedule schedule = pipeline.schedule();
            DiscreteSchedule discrete = SamplerParameters.discrete(schedule, sampler);
            TensorBackend backend = pipeline.backend();
            Denoiser model = pipeline.model();
            Tensor noise = Noise.seeded(model, backend, Checks.atLeast("--pilots", pilots, 1), seed);
            ProbabilityFlowOde ode = new ProbabilityFlowOde(schedule, tolerance, tolerance, ProbabilityFlowOde.Method.DOPRI8, 10_000_000);
            StepScheduleOptimizer.SamplerFactory factory = t -> {
                Map<String, Object> p = new LinkedHashMap<>(parameters);
                p.put("timesteps", HandMadeSpacings.asList(t));
                return pipeline.sampler(new ComponentConfig(sampler, p));
            };
            long started = System.nanoTime();
            out.printf(Locale.ROOT, "tuning %s %s for %s on %d pilot samples: reference flow on a grid of %d times ...%n", sampler, parameters,
                    checkpoint, pilots, grid);
            out.flush();
            StepScheduleOptimizer optimizer = new StepScheduleOptimizer(factory, model, (x, from, to) -> ode.solve(model, x, from, to,
                    Condition.none()), noise, StepScheduleOptimizer.grid(discrete, Checks.atLeast("--grid", grid, 4)));
            int rows = optimizer.grid().length - 1;
            double[][] costs = optimizer.jumpCosts(false, row -> {
                if (row % 5 == 0 || row == rows) {
                    out.printf(Locale.ROOT, "  jump costs %d/%d rows, %.0f s%n", row, rows, (System.nanoTime() - started) / 1e9);
                    out.flush();
                }
            });
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
                double[] fromGits = optimizer.descend(optimizer.cheapestPath(costs, n), Checks.atLeast("--sweeps", sweeps, 0));
                double[] fromHandMade = optimizer.descend(bestStart, sweeps);
                double gitsError = optimizer.endpointError(fromGits);
                double handError = optimizer.endpointError(fromHandMade);
                double[] chosen = gitsError <= handError ? fromGits : fromHandMade;
                out.printf(Locale.ROOT, "  %d evaluations: pilot endpoint error %.3e (best hand-made, %s: %.3e; %.1fx less), %.0f s%n", n,
                        Math.min(gitsError, handError), bestName, bestError, bestError / Math.min(gitsError, handError),
                        (System.nanoTime() - started) / 1e9);
                out.flush();
                timesteps.put(String.valueOf(n), HandMadeSpacings.asList(chosen));
            }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("sampler", sampler);
        entry.put("parameters", parameters);
        entry.put("timesteps", timesteps);
        Path file = checkpoint.resolve(ModelCard.FILE);
        card.withStepSchedule(entry).write(file);
        out.printf(Locale.ROOT, "wrote step schedules for %s %s at %s evaluations into %s%n", sampler, parameters, timesteps.keySet(), file);
        out.flush();
    }
}
