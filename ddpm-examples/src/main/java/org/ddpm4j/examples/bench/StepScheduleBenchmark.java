package org.ddpm4j.examples.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import java.util.function.Function;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.samplers.ProbabilityFlowOde;
import org.ddpm4j.samplers.steps.AlignYourSteps;
import org.ddpm4j.samplers.steps.ErrorBoundSteps;
import org.ddpm4j.samplers.steps.BespokeLeastSquares;
import org.ddpm4j.samplers.steps.BespokeOptimizer;
import org.ddpm4j.samplers.steps.DenseTrajectory;
import org.ddpm4j.samplers.steps.HandMadeSpacings;
import org.ddpm4j.samplers.steps.StepScheduleOptimizer;

/**
 * Optimized step schedules against the best hand-made ones, at a few evaluation budgets, for
 * whatever denoiser it is given: the schedules are tuned on pilot noise (its own seed), the errors
 * measured on the benchmark's noise against the exact PF-ODE endpoint.
 *
 * <p>"diffusers" rows are diffusers' configurations run by ddpm4j's diffusers-compatible samplers
 * (integer timesteps, the arithmetic of diffusers, which the samplers table checks against diffusers
 * itself): its own spacings, and DPM-Solver++ (orders 1-3, the only diffusers scheduler that takes a
 * timestep list) with every hand-made family rounded to integers.
 */
public final class StepScheduleBenchmark {
    /** The samplers tuned: name and solver order. */
    private static final List<Object[]> TUNED = List.of(new Object[] {"dpmsolver-multistep", 2}, new Object[] {"unipc", 2},
            new Object[] {"unipc", 3}, new Object[] {"ipndm", 4});

    /** Tuned without GITS: the jump costs of each GITS sampler take most of the run's time. */
    private static final String NO_GITS = "ipndm";

    /** Quadrature points of the AYS KLUB inside each grid interval. */
    private static final int AYS_SUBDIVISIONS = 4;
    private static final long AYS_NOISE_SEED = 2_000_003;

    /** How much finer the bespoke pilots' grid is than the schedules'. */
    private static final int BESPOKE_GRID_FACTOR = 4;

    /** Resamples of the bootstrap interval of the best bespoke solver's ratio. */
    private static final int BOOTSTRAP_RESAMPLES = 2000;

    private final Function<ComponentConfig, Sampler> samplers;
    private final DiscreteSchedule schedule;
    private final Denoiser model;
    private final ProbabilityFlowOde ode;
    private final Tensor noise;
    private final Tensor exactEnd;
    private final Tensor pilots;
    private final int gridPoints;
    private final PrintWriter out;
    private Bespoke bespoke;
    /** Each measured row's error per sample (sum over its coordinates), for the tails line. */
    private final Map<String, double[]> perSample = new java.util.HashMap<>();
    /** Each bespoke row's error on the held-out samples, which chooses between histories. */
    private final Map<String, Double> heldOut = new java.util.HashMap<>();

    /** {@code samplers} makes a sampler on {@code schedule} from a configuration entry (e.g. {@code Pipeline::sampler}). */
    public StepScheduleBenchmark(Function<ComponentConfig, Sampler> samplers, DiscreteSchedule schedule, Denoiser model, ProbabilityFlowOde ode, Tensor noise,
            Tensor pilots, int gridPoints, PrintWriter out) {
        this.samplers = samplers;
        this.schedule = schedule;
        this.model = model;
        this.ode = ode;
        this.noise = noise;
        this.pilots = pilots;
        this.gridPoints = gridPoints;
        this.out = out;
        this.exactEnd = ode.solve(model, noise, schedule.trainSteps() - 1, 0, Condition.none());
    }

    /** A row: what, evaluations, error on the benchmark noise. */
    public record Row(String label, long evaluations, double error) {
    }

    private Row measure(String label, Sampler sampler) {
        try (SamplingRun run = sampler.start(model, noise, SampleOptions.defaults())) {
            while (!run.isDone()) {
                run.step();
            }
            if (Math.abs(run.time()) > 1e-9) {
                throw new IllegalStateException(label + " stopped at t=" + run.time() + ", not 0");
            }
            Tensor diff = run.result().sub(exactEnd).abs();
            double e = diff.mean();
            perSample.put(label, diff.sumPerSample());
            return new Row(label, run.modelEvaluations(), Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
        }
    }

    private Sampler sampler(String name, Object... keysAndValues) {
        Map<String, Object> p = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return samplers.apply(new ComponentConfig(name, p));
    }

    private StepScheduleOptimizer.SamplerFactory factory(String name, int order) {
        return t -> sampler(name, "solver_order", order, "final_sigmas_type", "sigma_min", "timesteps", HandMadeSpacings.asList(t));
    }

    private static Row best(List<Row> rows) {
        Row b = null;
        for (Row r : rows) {
            if (b == null || r.error < b.error) {
                b = r;
            }
        }
        return b;
    }

    /** diffusers' configurations with its own spacings at {@code nfe} evaluations. */
    private List<Row> diffusersOwn(int nfe) {
        List<Row> rows = new ArrayList<>();
        rows.add(measure("diffusers DDIM trailing", sampler("ddim", "timestep_spacing", "trailing", "set_alpha_to_one", false,
                "clip_sample", false, "steps", nfe)));
        rows.add(measure("diffusers Euler trailing", sampler("euler", "timestep_spacing", "trailing", "final_sigmas_type", "sigma_min",
                "steps", nfe)));
        if (nfe > 1) {
            rows.add(measure("diffusers PLMS trailing", sampler("plms", "timestep_spacing", "trailing", "steps", nfe - 1)));
        }
        for (int order : new int[] {2, 3}) {
            rows.add(measure("diffusers DPM-Solver++(" + order + "M)", sampler("dpmsolver-multistep", "solver_order", order,
                    "final_sigmas_type", "sigma_min", "steps", nfe)));
            rows.add(measure("diffusers UniPC-" + order, sampler("unipc", "solver_order", order, "final_sigmas_type", "sigma_min", "steps", nfe)));
        }
        rows.add(measure("diffusers DPM-Solver-3S", sampler("dpmsolver-singlestep", "solver_order", 3, "final_sigmas_type", "sigma_min",
                "steps", nfe)));
        return rows;
    }

    /** DPM-Solver++ (the diffusers scheduler that takes a list) with each hand-made family rounded to integers. */
    private List<Row> diffusersHandMade(int nfe) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, double[]> e : HandMadeSpacings.all(schedule, nfe).entrySet()) {
            int[] t = HandMadeSpacings.rounded(e.getValue());
            List<Integer> list = new ArrayList<>();
            for (int v : t) {
                list.add(v);
            }
            for (int order = 1; order <= 3; order++) {
                rows.add(measure("diffusers DPM-Solver++(" + order + "M), timesteps=" + e.getKey() + " (rounded)",
                        sampler("dpmsolver-multistep", "solver_order", order, "final_sigmas_type", "sigma_min", "timesteps", list)));
            }
        }
        return rows;
    }

    private static String name(Object[] tuned) {
        return switch ((String) tuned[0]) {
            case "unipc" -> "UniPC-" + tuned[1];
            case "ipndm" -> "iPNDM-" + tuned[1];
            default -> "DPM-Solver++(" + tuned[1] + "M)";
        };
    }

    /**
     * Runs the comparison, prints its table, returns ddpm4j's rows (for the best-at-10 line).
     *
     * @param gits whether to include GITS (its jump costs take most of the time)
     */
    public List<Row> run(List<Integer> budgets, int sweeps, boolean gits) {
        double[] grid = StepScheduleOptimizer.grid(schedule, gridPoints);
        out.printf(Locale.ROOT, "%nOptimized step schedules: tuned on %d pilot samples (their own seed), grid of %d times; "
                + "error on the benchmark noise. ratio = diffusers' best with any timestep list / this error.%n%n", pilots.shape()[0], grid.length);
        List<StepScheduleOptimizer> optimizers = new ArrayList<>();
        List<double[][]> costs = new ArrayList<>();
        List<double[][]> carriedCosts = new ArrayList<>();
        long started = System.nanoTime();
        for (Object[] t : TUNED) {
            StepScheduleOptimizer o = new StepScheduleOptimizer(factory((String) t[0], (Integer) t[1]), model,
                    (x, from, to) -> ode.solve(model, x, from, to, Condition.none()), pilots, grid);
            optimizers.add(o);
            if (!gits || t[0].equals(NO_GITS)) {
                costs.add(null);
                carriedCosts.add(null);
                continue;
            }
            costs.add(o.jumpCosts(false, row -> { }));
            carriedCosts.add(o.jumpCosts(true, row -> { }));
            System.err.printf(Locale.ROOT, "  jump costs of %s: %.0f s%n", name(t), (System.nanoTime() - started) / 1e9);
        }
        AlignYourSteps ays = alignYourSteps(grid);
        Tensor endpoints = optimizers.get(0).exactEndpoints();
        out.println("| evaluations | configuration | error | ratio |");
        out.println("|---:|---|---:|---:|");
        List<Row> all = new ArrayList<>();
        for (int nfe : budgets) {
            List<Row> diffusersOwn = diffusersOwn(nfe);
            Row own = labelled("best of diffusers' own spacings: ", best(diffusersOwn));
            Row anyList = labelled("best of diffusers with any list: ", best(merge(diffusersOwn, diffusersHandMade(nfe))));
            List<Row> ours = new ArrayList<>();
            List<Row> handMade = new ArrayList<>();
            for (int k = 0; k < TUNED.size(); k++) {
                Object[] t = TUNED.get(k);
                StepScheduleOptimizer o = optimizers.get(k);
                Map<String, double[]> families = HandMadeSpacings.all(schedule, nfe);
                String startName = null;
                double startPilot = Double.POSITIVE_INFINITY;
                for (Map.Entry<String, double[]> e : families.entrySet()) {
                    handMade.add(measure("ddpm4j " + name(t) + ", timesteps=" + e.getKey(), factory((String) t[0], (Integer) t[1]).create(e.getValue())));
                    double p = o.endpointError(e.getValue());
                    if (p < startPilot) {
                        startPilot = p;
                        startName = e.getKey();
                    }
                }
                if (costs.get(k) != null) {
                    double[] path = o.cheapestPath(costs.get(k), nfe);
                    ours.add(measure("ddpm4j " + name(t) + ", GITS", factory((String) t[0], (Integer) t[1]).create(path)));
                    double[] carried = o.cheapestPath(carriedCosts.get(k), nfe);
                    ours.add(measure("ddpm4j " + name(t) + ", GITS (error carried to t=0)", factory((String) t[0], (Integer) t[1]).create(carried)));
                    double[] carriedDescent = o.descend(carried, sweeps);
                    ours.add(measure("ddpm4j " + name(t) + ", GITS (carried) + descent", factory((String) t[0], (Integer) t[1]).create(carriedDescent)));
                    double[] gitsDescent = o.descend(path, sweeps);
                    ours.add(measure("ddpm4j " + name(t) + ", GITS + descent", factory((String) t[0], (Integer) t[1]).create(gitsDescent)));
                }
                double[] aligned = ays.schedule(nfe);
                ours.add(measure("ddpm4j " + name(t) + ", AYS", factory((String) t[0], (Integer) t[1]).create(aligned)));
                ours.add(measure("ddpm4j " + name(t) + ", AYS + descent", factory((String) t[0], (Integer) t[1]).create(o.descend(aligned, sweeps))));
                ours.addAll(xue(t, o, nfe, endpoints, sweeps));
                double[] handDescent = o.descend(families.get(startName), sweeps);
                ours.add(measure("ddpm4j " + name(t) + ", " + startName + " + descent", factory((String) t[0], (Integer) t[1]).create(handDescent)));
                System.err.printf(Locale.ROOT, "  %d evaluations, %s tuned: %.0f s%n", nfe, name(t), (System.nanoTime() - started) / 1e9);
            }
            if (bespoke != null) {
                ours.addAll(bespokeRows(nfe, optimizers.get(0), gits ? carriedCosts : List.of(), ays, sweeps));
                System.err.printf(Locale.ROOT, "  %d evaluations, bespoke learned: %.0f s%n", nfe, (System.nanoTime() - started) / 1e9);
            }
            print(own, anyList);
            print(anyList, anyList);
            print(labelled("best of ddpm4j's tuned samplers with a hand-made list: ", best(handMade)), anyList);
            for (Row r : ours) {
                print(r, anyList);
            }
            List<Row> fitted = new ArrayList<>();
            for (Row r : ours) {
                if (r.label.startsWith("ddpm4j bespoke, least squares") && r.label.contains("+ times")) {
                    fitted.add(r);
                }
            }
            if (!fitted.isEmpty()) {
                // the history is chosen on the held-out samples, not on the benchmark's
                Row learned = fitted.stream().min(java.util.Comparator.comparingDouble(r -> heldOut.get(r.label))).orElseThrow();
                RatioInterval ratio = RatioInterval.of(perSample.get(anyList.label), perSample.get(learned.label), 0.95, BOOTSTRAP_RESAMPLES, nfe);
                out.printf(Locale.ROOT, "tails at %d evaluations: diffusers' best with any list: %s; bespoke least squares (held-out choice): %s%n", nfe,
                        tails(anyList), tails(learned));
                out.printf(Locale.ROOT, "ratio at %d evaluations, diffusers' best with any list / bespoke least squares (the history with the least "
                        + "held-out error): %.1f, %.0f%% paired bootstrap interval %.1f-%.1f over the %d benchmark samples (%d resamples)%n", nfe,
                        ratio.ratio(), 100 * ratio.level(), ratio.low(), ratio.high(), noise.shape()[0], ratio.resamples());
            }
            all.addAll(handMade);
            all.addAll(ours);
            out.flush();
        }
        return all;
    }

    /**
     * Align Your Steps on the same candidate times, from the pilots' own samples (their exact flow to
     * t = 0, denoised there) and a noise draw of its own seed; the same schedule for every sampler.
     */
    private AlignYourSteps alignYourSteps(double[] grid) {
        Tensor end = ode.solve(model, pilots, grid[0], 0, Condition.none());
        Tensor samples = model.as(Parameterization.SAMPLE, schedule).predict(end, 0.0, Condition.none());
        Tensor eps = pilots.backend().randn(new GaussianNoise(AYS_NOISE_SEED), pilots.shape());
        return new AlignYourSteps(model, schedule, samples, eps, grid, AYS_SUBDIVISIONS, f -> { });
    }

    /**
     * Xue et al.'s least error bound (model-free), with weight 1 and with each step's error carried to
     * t = 0 by the flow of data of the pilots' spread; descent starts from whichever has the lower pilot error.
     */
    private List<Row> xue(Object[] t, StepScheduleOptimizer o, int nfe, Tensor endpoints, int sweeps) {
        StepScheduleOptimizer.SamplerFactory f = factory((String) t[0], (Integer) t[1]);
        Map<String, double[]> variants = new ErrorBoundSteps(schedule, ErrorBoundSteps.Solver.of((String) t[0]), (Integer) t[1]).variants(endpoints, nfe);
        List<Row> rows = new ArrayList<>();
        variants.forEach((label, times) -> rows.add(measure("ddpm4j " + name(t) + ", " + label, f.create(times))));
        rows.add(measure("ddpm4j " + name(t) + ", Xue + descent", f.create(o.descend(variants.get(o.leastError(variants)), sweeps))));
        return rows;
    }

    /** The bespoke solver's optimizer and least-squares fits (one per history), pilot count and search budgets. */
    private record Bespoke(BespokeOptimizer optimizer, List<BespokeLeastSquares> fits, int pilots, int starts, int timeRuns, int polishRuns) {
    }

    /**
     * Also learn bespoke solvers at each budget, on {@code pilots} and kept only if better on {@code heldOut}:
     * for each history, the least-squares coefficients ({@link BespokeLeastSquares}, relative {@code ridge},
     * {@code robustPasses} reweightings), the search over the times with them ({@code timeRuns} solver runs) from
     * each of the {@code starts} best start solvers and a joint polish ({@code polishRuns}).
     */
    public StepScheduleBenchmark withBespoke(Tensor pilots, Tensor heldOut, List<Integer> histories, double ridge, int robustPasses, int starts,
            int timeRuns, int polishRuns) {
        // the pilots' exact flow tabulated on a grid 4x finer than the schedules': their endpoints, and their states
        // at any step time (the fit's targets, thousands per search) interpolated between grid times
        StepScheduleOptimizer exact = new StepScheduleOptimizer(factory("dpmsolver-multistep", 2), model,
                (x, from, to) -> ode.solve(model, x, from, to, Condition.none()), pilots,
                StepScheduleOptimizer.grid(schedule, BESPOKE_GRID_FACTOR * gridPoints));
        DenseTrajectory dense = new DenseTrajectory(exact, model, schedule);
        out.printf(Locale.ROOT, "Bespoke pilots' exact states between the %d grid times by interpolation: largest mean |interpolated - solved| "
                + "at the intervals' midpoints %.1e%n", exact.grid().length, dense.deviation());
        BespokeOptimizer o = new BespokeOptimizer(this::bespokeSampler, model, schedule, pilots, exact.exactEndpoints(), heldOut,
                ode.solve(model, heldOut, schedule.trainSteps() - 1, 0, Condition.none()));
        List<BespokeLeastSquares> fits = new ArrayList<>();
        for (int h : histories) {
            fits.add(new BespokeLeastSquares(this::bespokeSampler, model, pilots, dense, h, ridge, robustPasses));
        }
        this.bespoke = new Bespoke(o, fits, pilots.shape()[0], starts, timeRuns, polishRuns);
        return this;
    }

    private Sampler bespokeSampler(double[] t, double[] coefficients) {
        return sampler("bespoke", "final_sigmas_type", "sigma_min", "timesteps", HandMadeSpacings.asList(t), "coefficients",
                HandMadeSpacings.asList(coefficients));
    }

    /**
     * The bespoke solvers at {@code nfe} evaluations: started from DPM-Solver++(2M) (plain or with a
     * first-order last step) on the candidate schedule with the least error on its pilots (every hand-made family, GITS (carried) of each tuned
     * sampler, AYS, and descent from the best of these for DPM-Solver++(2M)); rows for the start and,
     * for each history, for the least-squares coefficients on the start's times and for the chosen
     * solver after the searches (the learned one if it beats the start on the held-out samples).
     */
    private List<Row> bespokeRows(int nfe, StepScheduleOptimizer dpm, List<double[][]> carriedCosts, AlignYourSteps ays, int sweeps) {
        Map<String, double[]> candidates = new LinkedHashMap<>(HandMadeSpacings.all(schedule, nfe));
        for (int k = 0; k < carriedCosts.size(); k++) {
            if (carriedCosts.get(k) == null) {
                continue; // a sampler tuned without GITS (iPNDM)
            }
            candidates.put("GITS (carried) of " + name(TUNED.get(k)), dpm.cheapestPath(carriedCosts.get(k), nfe));
        }
        candidates.put("AYS", ays.schedule(nfe));
        String first = dpm.leastError(candidates);
        candidates.put(first + " + descent", dpm.descend(candidates.get(first), sweeps));
        List<BespokeOptimizer.Start> starts = bespoke.optimizer().bestStarts(candidates, bespoke.starts());
        List<BespokeOptimizer.Solver> startSolvers = new ArrayList<>();
        for (BespokeOptimizer.Start st : starts) {
            startSolvers.add(st.solver());
        }
        BespokeOptimizer.Start start = starts.get(0);
        String startName = start.name();
        List<Row> rows = new ArrayList<>();
        rows.add(measure("ddpm4j bespoke start: DPM-Solver++(2M) on " + startName, bespokeSampler(start.solver().timesteps(),
                start.solver().coefficients())));
        for (BespokeLeastSquares fit : bespoke.fits()) {
            long began = System.nanoTime();
            BespokeOptimizer.Result r = bespoke.optimizer().fitted(startSolvers, fit, bespoke.timeRuns(), bespoke.polishRuns());
            BespokeOptimizer.Solver onStart = new BespokeOptimizer.Solver(start.solver().timesteps(), fit.fit(start.solver().timesteps()).coefficients());
            rows.add(measure("ddpm4j bespoke, least squares (history " + fit.history() + ") on the start's times", bespokeSampler(onStart.timesteps(),
                    onStart.coefficients())));
            StringBuilder stages = new StringBuilder();
            for (BespokeOptimizer.Stage st : r.stages()) {
                stages.append(String.format(Locale.ROOT, "; %s %.2e (%d runs)", st.name(), st.pilotError(), st.runs()));
            }
            BespokeOptimizer.Solver chosen = r.chosen();
            String fitted = String.format(Locale.ROOT, "%d pilots %.2e -> %.2e, held-out %.2e -> %.2e%s, %.0f s", bespoke.pilots(), r.startPilot(),
                    r.learnedPilot(), r.startHeldOut(), r.learnedHeldOut(), stages, (System.nanoTime() - began) / 1e9);
            Row row = measure("ddpm4j bespoke, least squares (history " + fit.history() + ") + times + polish, "
                    + (chosen == r.learned() ? "learned" : "start kept (learned worse on held-out)") + " from " + startName
                    + (starts.size() > 1 ? " and " + (starts.size() - 1) + " more starts" : "") + " (" + fitted + ")",
                    bespokeSampler(chosen.timesteps(), chosen.coefficients()));
            heldOut.put(row.label, chosen == r.learned() ? r.learnedHeldOut() : r.startHeldOut());
            rows.add(row);
        }
        return rows;
    }

    private Row labelled(String prefix, Row r) {
        perSample.put(prefix + r.label, perSample.get(r.label));
        return new Row(prefix + r.label, r.evaluations, r.error);
    }

    /**
     * How much of a row's error its worst samples carry: the share of the worst 1% and 5% of the
     * samples, and the mean error over the other 95% (the same measure as the table's, on fewer samples).
     */
    private String tails(Row r) {
        double[] e = perSample.get(r.label).clone();
        java.util.Arrays.sort(e);
        double total = java.util.Arrays.stream(e).sum();
        int n = e.length;
        int one = Math.max(1, n / 100);
        int five = Math.max(1, n / 20);
        double worstOne = java.util.Arrays.stream(e, n - one, n).sum();
        double worstFive = java.util.Arrays.stream(e, n - five, n).sum();
        double rest = (total - worstFive) / ((double) (n - five) * noise.sampleSize());
        return String.format(Locale.ROOT, "worst %d samples %.0f%% of the error, worst %d %.0f%%, mean over the other %d %.2e", one,
                100 * worstOne / total, five, 100 * worstFive / total, n - five, rest);
    }

    private static List<Row> merge(List<Row> a, List<Row> b) {
        List<Row> m = new ArrayList<>(a);
        m.addAll(b);
        return m;
    }

    private void print(Row r, Row reference) {
        out.printf(Locale.ROOT, "| %d | %s | %.2e | %.1f |%n", r.evaluations, r.label, r.error, reference.error / r.error);
    }
}
