package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.metrics.SampleDistances;
import org.ddpm4j.samplers.AnalyticVariance;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.samplers.likelihood.Elbo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Reverse variances of ancestral sampling compared on a Gaussian mixture with its exact denoiser:
 * fixed small ({@code betaTilde}), fixed large ({@code beta}) and Analytic-DPM, by the variational
 * bound (continuous Gaussian decoder, nats per sample, next to the true NLL) and by the energy
 * distance of {@code ddpm} samples to held-out data at several step counts (with the floor of two
 * data samples). Gamma_t comes from the model on a separate data sample.
 */
@Command(name = "variance", mixinStandardHelpOptions = true,
        description = "Fixed vs Analytic-DPM reverse variances on a Gaussian mixture (ELBO and sample quality).")
final class BenchVarianceCommand implements Runnable {

    @Option(names = "--denoiser", required = true, paramLabel = "gmm:FILE", description = "gmm:mixture.json (the exact denoiser of a known mixture).")
    String denoiser;

    @Option(names = "--n", paramLabel = "N", defaultValue = "1000", description = "Samples per run, data samples per estimate (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--steps", paramLabel = "N", split = ",", defaultValue = "10,25,50,100", description = "Step counts (default: ${DEFAULT-VALUE}).")
    List<Integer> steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (n < 10) {
            throw new InvalidParameterException("--n", n, "must be at least 10");
        }
        PipelineConfig config = PipelineConfig.of(ComponentConfig.of("java")).withSchedule(ComponentConfig.of("linear"));
        try (Pipeline pipeline = Pipelines.build(config, PipelineParts.none().model(ModelSource.parse("--denoiser", denoiser)))) {
            measure(pipeline);
        }
    }

    /** The bounds and the samples' distances of each reverse variance on the pipeline's mixture. */
    private void measure(Pipeline pipeline) {
        TensorBackend backend = pipeline.backend();
        DiscreteSchedule schedule = (DiscreteSchedule) pipeline.schedule();
        Denoiser model = pipeline.model();
        if (!(model instanceof GaussianMixtureDenoiser gmm)) {
            throw new InvalidParameterException("--denoiser", denoiser, "must be gmm:FILE (the bench needs the data distribution)");
        }
        GaussianMixture mixture = gmm.mixture();
        double[][] heldOut = mixture.sample(n, new GaussianNoise(seed + 1));
        double[][] other = mixture.sample(n, new GaussianNoise(seed + 2));
        Tensor estimateData = tensor(backend, mixture.sample(n, new GaussianNoise(seed + 3)));
        Tensor boundData = tensor(backend, heldOut);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s, schedule linear (T = %d), %d samples, seed %d%n%n", denoiser, schedule.trainSteps(), n, seed);

        double nll = Arrays.stream(heldOut).mapToDouble(x -> -mixture.logDensity(x)).average().orElseThrow();
        double[] all = new double[schedule.trainSteps()];
        Arrays.setAll(all, t -> t);
        double[] gammaAll = AnalyticVariance.epsMoments(model, schedule, all, estimateData, Condition.none(), seed + 4);
        out.println("| reverse variance | ELBO (nats/sample, T = " + schedule.trainSteps() + " steps) | true NLL |");
        out.println("|---|---:|---:|");
        for (Elbo.Variance v : List.of(Elbo.Variance.FIXED_SMALL, Elbo.Variance.FIXED_LARGE, Elbo.Variance.ANALYTIC)) {
            Elbo elbo = new Elbo(schedule, v, v == Elbo.Variance.ANALYTIC ? gammaAll : null, Elbo.Decoder.GAUSSIAN);
            double bound = Arrays.stream(elbo.evaluate(model, boundData, Condition.none(), seed + 5).total()).average().orElseThrow();
            out.printf(Locale.ROOT, "| %s | %.4f | %.4f |%n", v.name().toLowerCase(Locale.ROOT), bound, nll);
            out.flush();
        }

        out.printf(Locale.ROOT, "%nenergy distance (V-statistic) of ddpm samples to %d held-out points; floor (two data samples): %.4f%n%n",
                n, SampleDistances.energyDistanceV(other, heldOut));
        out.println("| steps | fixed_small | fixed_large | analytic |");
        out.println("|---:|---:|---:|---:|");
        Tensor noise = backend.randn(new GaussianNoise(seed + 6), n, mixture.dimension());
        for (int k : steps) {
            Parameters base = Parameters.of("steps", k, "clip_sample", false, "timestep_spacing", "trailing");
            double[] times = ((BaseSampler) pipeline.sampler(new ComponentConfig("ddpm", base.asMap()))).timesteps();
            double[] gamma = AnalyticVariance.epsMoments(model, schedule, times, estimateData, Condition.none(), seed + 7);
            StringBuilder row = new StringBuilder("| " + k + " |");
            for (Parameters p : List.of(base, base.with("variance_type", "fixed_large"),
                    base.with("variance_type", "analytic").with("analytic_eps_moments", gamma))) {
                Tensor x = pipeline.sampler(new ComponentConfig("ddpm", p.asMap())).sample(model, noise, SampleOptions.defaults().withSeed(seed + 8));
                row.append(String.format(Locale.ROOT, " %.4f |", SampleDistances.energyDistanceV(rows(x), heldOut)));
            }
            out.println(row);
            out.flush();
        }
    }

    private static Tensor tensor(TensorBackend backend, double[][] points) {
        double[] flat = Arrays.stream(points).flatMapToDouble(Arrays::stream).toArray();
        return backend.fromHost(flat, points.length, points[0].length);
    }

    private static double[][] rows(Tensor x) {
        double[] v = x.toDoubleArray();
        int d = x.sampleSize();
        double[][] r = new double[x.batchSize()][d];
        for (int i = 0; i < r.length; i++) {
            System.arraycopy(v, i * d, r[i], 0, d);
        }
        return r;
    }
}
