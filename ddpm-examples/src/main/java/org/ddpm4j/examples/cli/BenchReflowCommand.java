package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.training.ArrayData;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingData;
import org.ddpm4j.core.training.TrainingSettings;
import org.ddpm4j.examples.data.Datasets;
import org.ddpm4j.examples.data.Toy2d;
import org.ddpm4j.examples.flow.Reflow;
import org.ddpm4j.examples.metrics.SampleQuality;
import org.ddpm4j.examples.plot.Chart;
import org.ddpm4j.examples.plot.Figure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Diffusion, flow matching and one reflow side by side on a 2-D dataset: the same MLP trained with
 * the noise objective (linear schedule), with flow matching (1-rectified flow), and with flow matching
 * on the couplings of the first flow (2-rectified flow, Liu et al. 2022). Prints the quality of each
 * at 1, 2, 4, 8 and 16 model evaluations (energy distance to held-out data over its floor, as the
 * demo reports) and the straightness of both flows; writes trajectories.png (paths from the same
 * noise), quality.png (quality against evaluations) and metrics.json.
 */
@Command(name = "reflow", mixinStandardHelpOptions = true,
        description = "Diffusion vs flow matching vs one reflow on 2-D data: quality at 1-16 evaluations, straightness, pictures.",
        footer = {"", "Example:", "  ddpm bench reflow --dataset moons --train-steps 3000 --out runs/reflow"})
final class BenchReflowCommand implements Runnable {
    static final int[] EVALUATIONS = {1, 2, 4, 8, 16};

    @Option(names = "--dataset", defaultValue = "moons", description = "2-D dataset (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--backend", defaultValue = "djl", description = "djl or tf (default ${DEFAULT-VALUE}).")
    String backendName;

    @Option(names = "--train-steps", defaultValue = "3000", description = "Optimizer steps of each model (default ${DEFAULT-VALUE}).")
    int trainSteps;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate, cosine decay (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--pairs", defaultValue = "20000", description = "Couplings generated for the reflow (default ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--coupling-steps", defaultValue = "50", description = "Heun steps that generate the couplings (default ${DEFAULT-VALUE}).")
    int couplingSteps;

    @Option(names = "--samples", defaultValue = "2000", description = "Points generated per measurement (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "runs/reflow", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec spec;

    private record Model(String name, Denoiser denoiser, Schedule schedule) {
    }

    @Override
    public void run() {
        PrintWriter console = spec.commandLine().getOut();
        if (trainSteps < 1 || pairs < 1 || samples < 2 || couplingSteps < 1) {
            throw new InvalidParameterException("--train-steps/--pairs/--samples/--coupling-steps", trainSteps + "/" + pairs + "/" + samples
                    + "/" + couplingSteps, "must be >= 1 (samples >= 2)");
        }
        Toy2d toy = Toy2d.parse(dataset);
        TrainingData data = Datasets.unlabeled(toy.data(20_000, seed));
        double[][] heldOut = toy.sample(2 * samples, seed + 1);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("dataset", toy.id());
        metrics.put("backend", backendName);
        metrics.put("train_steps", trainSteps);
        // the backend, the diffusion model's schedule, and the flow models' path from the same plugins
        PipelineConfig config = PipelineConfig.of(new ComponentConfig(backendName, Map.of("threads", 1))).withSchedule(ComponentConfig.of("linear"));
        try (Pipeline pipeline = Pipelines.build(config)) {
            TensorBackend backend = pipeline.backend();
            Schedule linear = pipeline.schedule();
            FlowSchedule flow = (FlowSchedule) pipeline.schedule(ComponentConfig.of("rectified-flow"));
            if (!(backend instanceof NetworkBackend networks)) {
                throw new InvalidParameterException("--backend", backendName, "cannot train networks; use djl or tf");
            }
            List<AutoCloseable> open = new ArrayList<>();
            try {
                TrainableDenoiser diffusion = train(networks, backend, data, linear, Parameterization.EPSILON, false, console, "diffusion");
                open.add(diffusion);
                TrainableDenoiser rf1 = train(networks, backend, data, flow, Parameterization.FLOW, false, console, "1-rectified flow");
                open.add(rf1);
                long t0 = System.nanoTime();
                ArrayData couplings = Reflow.couplings(rf1.ema(), pipeline.sampler(Reflow.sampler(couplingSteps), flow), new int[] {2}, pairs,
                        seed + 7, backend);
                console.printf(Locale.ROOT, "%,d couplings by flow-heun, %d steps: %.1f s%n", pairs, couplingSteps, (System.nanoTime() - t0) / 1e9);
                TrainableDenoiser rf2 = train(networks, backend, couplings, flow, Parameterization.FLOW, true, console, "2-rectified flow");
                open.add(rf2);
                List<Model> models = List.of(new Model("diffusion", diffusion.ema(), linear), new Model("1-RF", rf1.ema(), flow),
                        new Model("2-RF", rf2.ema(), flow));
                measure(models, pipeline, backend, heldOut, metrics, console);
            } finally {
                for (AutoCloseable c : open) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        Json.write(metrics, out.resolve("metrics.json"));
        console.println("wrote " + out.resolve("metrics.json") + ", " + out.resolve("trajectories.png") + " and " + out.resolve("quality.png"));
        console.flush();
    }

    private TrainableDenoiser train(NetworkBackend networks, TensorBackend backend, TrainingData data, Schedule schedule,
                                    Parameterization target, boolean coupled, PrintWriter console, String what) {
        NetworkSpec network = new NetworkSpec("mlp", new int[] {2}, 0, target, Parameters.empty());
        TrainableDenoiser model = networks.newDenoiser(network, OptimizerSettings.defaults().withSeed(seed).withEmaDecay(0.995));
        Objective objective = new Objective(schedule, target, LossWeighting.UNIFORM, 0);
        TrainingSettings settings = new TrainingSettings(trainSteps, batch, learningRate, Math.min(100, trainSteps), true, seed, 0, 1);
        long t0 = System.nanoTime();
        Trainer trainer = new Trainer(settings, data, backend, new TrainingProgress(console, 5, false));
        if (coupled) {
            trainer.trainCoupled(model, objective, Optional.empty(), false);
        } else {
            trainer.trainDenoiser(model, objective, Optional.empty(), false);
        }
        console.printf(Locale.ROOT, "%s: %,d steps in %.1f s%n", what, trainSteps, (System.nanoTime() - t0) / 1e9);
        console.flush();
        return model;
    }

    /** The sampler of {@code model} at {@code evaluations} model evaluations. */
    private static List<Map.Entry<String, Sampler>> samplers(Model model, Pipeline pipeline, int evaluations) {
        if (model.schedule() instanceof FlowSchedule f) {
            return List.of(Map.entry("flow-euler", pipeline.sampler(new ComponentConfig("flow-euler", Map.of("sigmas", Reflow.uniformSigmas(evaluations))), f)));
        }
        return List.of(
                Map.entry("ddim", pipeline.sampler(new ComponentConfig("ddim", Map.of("steps", evaluations,
                        "timestep_spacing", "trailing", "clip_sample", false, "set_alpha_to_one", false)), model.schedule())),
                Map.entry("dpmsolver++", pipeline.sampler(new ComponentConfig("dpmsolver++", Map.of("steps", evaluations,
                        "timestep_spacing", "trailing")), model.schedule())));
    }

    private void measure(List<Model> models, Pipeline pipeline, TensorBackend backend, double[][] heldOut, Map<String, Object> metrics,
                         PrintWriter console) {
        Tensor noise = backend.randn(new GaussianNoise(seed + 11), samples, 2);
        Map<String, double[]> ratios = new LinkedHashMap<>();
        Map<String, double[]> c2st = new LinkedHashMap<>();
        double floor = 0;
        double c2stFloor = 0;
        for (Model m : models) {
            for (int k = 0; k < EVALUATIONS.length; k++) {
                for (Map.Entry<String, Sampler> s : samplers(m, pipeline, EVALUATIONS[k])) {
                    double[] flat = s.getValue().sample(m.denoiser(), noise, SampleOptions.defaults()).toDoubleArray();
                    SampleQuality q = SampleQuality.measure(rows(flat), heldOut);
                    ratios.computeIfAbsent(m.name() + ", " + s.getKey(), x -> new double[EVALUATIONS.length])[k] = q.energy().ratio();
                    c2st.computeIfAbsent(m.name() + ", " + s.getKey(), x -> new double[EVALUATIONS.length])[k] = q.c2st().value();
                    floor = q.energy().floor();
                    c2stFloor = q.c2st().floor();
                }
            }
        }
        Map<String, Object> straightness = new LinkedHashMap<>();
        for (Model m : models) {
            if (m.schedule() instanceof FlowSchedule f) {
                straightness.put(m.name(), Reflow.straightness(m.denoiser(), f, c -> pipeline.sampler(c, f), noise, 100));
            }
        }
        metrics.put("energy_distance_floor", floor);
        metrics.put("evaluations", java.util.Arrays.stream(EVALUATIONS).boxed().toList());
        Map<String, Object> table = new LinkedHashMap<>();
        ratios.forEach((k, v) -> table.put(k, java.util.Arrays.stream(v).boxed().toList()));
        metrics.put("energy_distance_ratio", table);
        Map<String, Object> c2stTable = new LinkedHashMap<>();
        c2st.forEach((k, v) -> c2stTable.put(k, java.util.Arrays.stream(v).boxed().toList()));
        metrics.put("c2st_accuracy", c2stTable);
        metrics.put("c2st_accuracy_floor", c2stFloor);
        metrics.put("straightness", straightness);

        StringBuilder md = new StringBuilder("| model, sampler | straightness |");
        for (int e : EVALUATIONS) {
            md.append(' ').append(e).append(" NFE |");
        }
        md.append("\n|---|---|").append("---|".repeat(EVALUATIONS.length)).append('\n');
        ratios.forEach((name, r) -> {
            Object s = straightness.get(name.substring(0, name.indexOf(',')));
            md.append("| ").append(name).append(" | ").append(s == null ? "-" : String.format(Locale.ROOT, "%.4f", (double) s)).append(" |");
            for (double v : r) {
                md.append(String.format(Locale.ROOT, " %.2f |", v));
            }
            md.append('\n');
        });
        console.printf(Locale.ROOT, "energy distance / floor (floor %.5f, %d samples):%n%s", floor, samples, md);
        metrics.put("table_markdown", md.toString());
        StringBuilder kn = new StringBuilder("| model, sampler |");
        for (int e : EVALUATIONS) {
            kn.append(' ').append(e).append(" NFE |");
        }
        kn.append("\n|---|").append("---|".repeat(EVALUATIONS.length)).append('\n');
        c2st.forEach((name, r) -> {
            kn.append("| ").append(name).append(" |");
            for (double v : r) {
                kn.append(String.format(Locale.ROOT, " %.3f |", v));
            }
            kn.append('\n');
        });
        console.printf(Locale.ROOT, "k-NN two-sample accuracy (0.5: indistinguishable; floor %.3f):%n%s", c2stFloor, kn);
        metrics.put("c2st_table_markdown", kn.toString());

        List<Chart> charts = new ArrayList<>();
        Chart quality = new Chart("energy distance / floor (log10) vs model evaluations", "log2 evaluations", "log10 ratio");
        int c = 0;
        for (Map.Entry<String, double[]> e : ratios.entrySet()) {
            double[] x = new double[EVALUATIONS.length];
            for (int k = 0; k < x.length; k++) {
                x[k] = Math.log(EVALUATIONS[k]) / Math.log(2);
            }
            double[] y = java.util.Arrays.stream(e.getValue()).map(Math::log10).toArray();
            quality.line(e.getKey(), x, y, Chart.PALETTE[c++ % Chart.PALETTE.length]);
        }
        Figure.save(out.resolve("quality.png"), 1, 640, 480, List.of(quality));
        Tensor few = backend.randn(new GaussianNoise(seed + 13), 40, 2);
        for (Model m : models) {
            Sampler sampler = m.schedule() instanceof FlowSchedule f ? pipeline.sampler(new ComponentConfig("flow-euler", Map.of("sigmas", Reflow.uniformSigmas(50))), f)
                    : pipeline.sampler(new ComponentConfig("ddim", Map.of("steps", 50, "clip_sample", false, "timestep_spacing", "trailing",
                    "set_alpha_to_one", false)), m.schedule());
            charts.add(paths(m, sampler, few));
        }
        Figure.save(out.resolve("trajectories.png"), charts.size(), 420, 420, charts);
    }

    /** 40 paths from the same noise, in the model's own coordinates (the flow's x_s, diffusion's x_t). */
    private static Chart paths(Model m, Sampler sampler, Tensor noise) {
        int n = noise.batchSize();
        List<double[]> states = new ArrayList<>();
        states.add(noise.toDoubleArray());
        StepListener record = new StepListener() {
            @Override
            public void onStep(StepEvent e) {
                double scale = m.schedule() instanceof FlowSchedule f ? f.path().scale(f.pathTime(e.time())) : 1;
                states.add(e.state().mul(scale).toDoubleArray());
            }
        };
        sampler.sample(m.denoiser(), noise, SampleOptions.defaults().withListener(record));
        Chart chart = new Chart(m.name() + " (" + sampler.name() + ", 50 steps)", "x", "y").xRange(-3, 3).yRange(-3, 3);
        for (int i = 0; i < n; i++) {
            double[] x = new double[states.size()];
            double[] y = new double[states.size()];
            for (int s = 0; s < states.size(); s++) {
                x[s] = states.get(s)[2 * i];
                y[s] = states.get(s)[2 * i + 1];
            }
            chart.line("", x, y, Chart.PALETTE[i % Chart.PALETTE.length]);
        }
        return chart;
    }

    private static double[][] rows(double[] flat) {
        double[][] r = new double[flat.length / 2][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
        }
        return r;
    }
}
