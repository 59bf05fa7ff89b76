package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.MemoryBudget;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.config.DiffusersSchedulerConfig;
import org.ddpm4j.core.config.KeyValues;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.OutputPaths;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.examples.plot.Chart;
import org.ddpm4j.examples.plot.Figure;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Tabulates and plots a noise schedule; converts to and from diffusers' scheduler_config.json. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Write the table of a noise schedule (t, beta, alphaBar, sigma, logSNR), plot it, or convert it to a "
                + "diffusers scheduler_config.json.",
        footer = {"", "sigma is the variance-exploding noise level sqrt((1 - alphaBar) / alphaBar); for the continuous 'vp' "
                + "schedule beta is the rate beta(t) on a grid of --timesteps points in [0, 1].",
                "", "Examples:",
                "  ddpm schedule --name cosine --out cosine.csv --plot cosine.png",
                "  ddpm schedule --name linear --timesteps 500 --param rescale_betas_zero_snr=true --out zsnr.csv",
                "  ddpm schedule --config scheduler_config.json --out table.csv",
                "  ddpm schedule --name scaled-linear --param beta_start=0.00085 --param beta_end=0.012 --write-config scheduler_config.json"})
final class ScheduleCommand implements Runnable {

    static final class Source {
        @Option(names = "--name", description = "Schedule plugin name (see 'ddpm plugins').")
        String name;

        @Option(names = "--config", description = "A diffusers scheduler_config.json.")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = {"--timesteps", "--steps"}, paramLabel = "T", description = "Number of diffusion timesteps T (discrete) or of "
            + "grid points (continuous); --steps is the old name.")
    Integer steps;

    @Option(names = "--param", description = "A schedule parameter, e.g. beta_end=0.012 (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--out", description = "CSV table to write.")
    Path out;

    @Option(names = "--plot", description = "PNG of alphaBar and log-SNR against t.")
    Path plot;

    @Option(names = "--write-config", description = "Write the schedule as a diffusers scheduler_config.json.")
    Path writeConfig;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        checkOutputs();
        Schedule schedule = schedule();
        double[] t = times(schedule);
        PrintWriter console = spec.commandLine().getOut();
        StringBuilder csv = new StringBuilder("t,beta,alpha_bar,sigma,log_snr\n");
        for (double time : t) {
            double beta = schedule instanceof DiscreteSchedule d ? d.beta((int) time) : ((ContinuousSchedule) schedule).beta(time);
            csv.append(String.format(Locale.ROOT, "%s,%.17g,%.17g,%.17g,%.17g%n", schedule instanceof DiscreteSchedule
                    ? Integer.toString((int) time) : String.format(Locale.ROOT, "%.6f", time),
                    beta, schedule.alphaBar(time), schedule.sigma(time), schedule.logSnr(time)));
        }
        if (out != null) {
            AtomicFiles.writeString(out, csv.toString());
            console.println("wrote " + out + " (" + t.length + " rows)");
        }
        if (plot != null) {
            double[] alphaBar = java.util.Arrays.stream(t).map(schedule::alphaBar).toArray();
            double[] logSnr = java.util.Arrays.stream(t).map(schedule::logSnr).toArray();
            String title = schedule.name() + " " + schedule.parameters().asMap();
            Figure.save(plot, 2, 640, 440, List.of(
                    new Chart("alphaBar(t)", "t", "alphaBar").line(schedule.name(), t, alphaBar, Chart.PALETTE[0]),
                    new Chart("log-SNR(t)", "t", "log SNR").line(title.length() > 60 ? schedule.name() : title, t, logSnr, Chart.PALETTE[1])));
            console.println("wrote " + plot);
        }
        if (writeConfig != null) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("_class_name", "DDPMScheduler");
            config.putAll(DiffusersSchedulerConfig.writeSchedule(schedule));
            Json.write(config, writeConfig);
            console.println("wrote " + writeConfig);
        }
        if (out == null && plot == null && writeConfig == null) {
            console.print(csv);
        }
        console.flush();
    }

    private Schedule schedule() {
        if (source.config != null) {
            Parameters config = Parameters.of(Json.readObject(source.config)).scoped(source.config.getFileName().toString());
            if (steps != null || !params.isEmpty()) {
                throw new IllegalArgumentException("--timesteps and --param apply to --name; edit the config file instead");
            }
            return DiffusersSchedulerConfig.readSchedule(config);
        }
        Map<String, Object> p = KeyValues.parse(params);
        // a schedule alone: the pipeline's (host) backend computes nothing here
        try (Pipeline pipeline = Pipelines.build(PipelineConfig.of(ComponentConfig.of("java")).withSchedule(new ComponentConfig(source.name, p)))) {
            Schedule probe = pipeline.schedule();
            if (steps != null && probe instanceof DiscreteSchedule) {
                p.put("num_train_timesteps", steps);
                return pipeline.schedule(new ComponentConfig(source.name, p));
            }
            return probe;
        }
    }

    private void checkOutputs() {
        if (out != null) {
            OutputPaths.checkFile("--out", out, ".csv");
        }
        if (plot != null) {
            OutputPaths.checkFile("--plot", plot, ".png");
        }
        if (writeConfig != null) {
            OutputPaths.checkFile("--write-config", writeConfig, ".json");
        }
    }

    /** A row of the table as text (five numbers of 17 digits) and its share of the string being built. */
    private static final double BYTES_PER_ROW = 400;

    private double[] times(Schedule schedule) {
        int rows = schedule instanceof DiscreteSchedule d ? d.trainSteps() : steps == null ? 1001 : Math.max(2, steps);
        MemoryBudget.require("--steps", rows, rows * BYTES_PER_ROW, "print fewer rows: a smaller --steps");
        if (schedule instanceof DiscreteSchedule d) {
            double[] t = new double[d.trainSteps()];
            for (int i = 0; i < t.length; i++) {
                t[i] = i;
            }
            return t;
        }
        int n = steps == null ? 1001 : Math.max(2, steps);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = schedule.tMin() + (schedule.tMax() - schedule.tMin()) * i / (n - 1);
        }
        return t;
    }
}
