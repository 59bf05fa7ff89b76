package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.examples.inpaint.Inpainting;
import org.ddpm4j.examples.inpaint.Sdedit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Edits data with any denoiser through the step-wise sampler API: inpainting (fill the entries a
 * mask marks unknown, keeping the others) or SDEdit (noise the input part-way, then denoise).
 */
@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Inpaint (keep the entries a mask marks known, sample the rest) or SDEdit (noise the input to --strength, "
                + "then denoise) data from an .npy file with any model; write the results as .npy and/or a picture.",
        footer = {"", "Inpainting replaces the known entries after every step by the known data noised to the step's time "
                + "(RePaint's replacement); --resampling U repeats every step U times, which makes strongly coupled entries "
                + "agree (try 10-20 with --sampler ddpm). SDEdit skips the first steps - ceil(strength * steps) steps, as diffusers' "
                + "image-to-image does. Trained models fix the schedule; analytic ones (gmm:, points:) use --schedule.",
                "", "Examples:",
                "  ddpm edit --mode inpaint --denoiser gmm:mixture.json --input points.npy --known-dims 0 --repeat 500 "
                        + "--sampler ddpm --param clip_sample=false --steps 50 --resampling 20 --out y-given-x.npy",
                "  ddpm edit --mode inpaint --checkpoint runs/demo/model --input runs/demo/samples.npy --known-dims 0 --sampler ddpm "
                        + "--param clip_sample=false --steps 100 --resampling 5 --threads 1 --grid inpainted.png",
                "  ddpm edit --mode inpaint --checkpoint runs/fashion --input images.npy --mask left-half.npy "
                        + "--sampler ddim --steps 50 --resampling 5 --grid inpainted.png",
                "  ddpm edit --mode sdedit --checkpoint runs/demo/model --input sketch.npy --strength 0.4 --sampler dpmsolver++ --steps 25 "
                        + "--out edited.npy",
                "", "ddpm and ddim clip their x0 estimates into [-1, 1] as diffusers does (right for images); give "
                        + "--param clip_sample=false for data that reaches further, like the 2-D toy sets."})
final class EditCommand implements Runnable {

    enum Mode { inpaint, sdedit }

    @Option(names = "--mode", required = true, description = "inpaint or sdedit.")
    Mode mode;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelChoice model;

    @Option(names = "--input", required = true, paramLabel = "FILE.npy", description = "The data to edit, [n, sample shape...].")
    Path input;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "K", description = "Edit every input K times (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--known-dims", split = ",", paramLabel = "I,J,...",
            description = "inpaint: the known entries of each sample, as flat indices (e.g. 0 for the x of 2-D points).")
    int[] knownDims;

    @Option(names = "--mask", paramLabel = "FILE.npy", description = "inpaint: 1 for known entries, 0 for those to sample; "
            + "the shape of one sample or of the input.")
    Path mask;

    @Option(names = "--resampling", defaultValue = "1", paramLabel = "U", description = "inpaint: take every step U times (default ${DEFAULT-VALUE}).")
    int resampling;

    @Option(names = "--strength", paramLabel = "S", description = "sdedit: how far to noise the input, in (0, 1] (default 0.5).")
    Double strength;

    @Mixin
    SamplerSource samplerSource;

    @Option(names = "--steps", paramLabel = "N", description = "Number of inference steps.")
    Integer steps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ModelBackend backendChoice;

    @Option(names = "--out", paramLabel = "FILE", description = "Results to write (.npy, float64).")
    Path out;

    @Option(names = "--grid", paramLabel = "FILE.png", description = "A picture of the results: an image grid or a scatter plot of 2-D points.")
    Path grid;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        checkOptions();
        ModelSource source = ModelSource.parse(model.option(), model.spec());
        Map<String, Object> run = new LinkedHashMap<>();
        if (steps != null) {
            run.put("steps", steps);
        }
        PipelineParts parts = PipelineParts.none().model(source).sampler(samplerSource.choice(run))
                .listener(new Progress(spec.commandLine().getErr(), mode.name()));
        try (Pipeline pipeline = Pipelines.build(PipelineConfig.of(backendChoice.config(source)), parts)) {
            samplerSource.defaultNote(pipeline.requireSampler()).ifPresent(spec.commandLine().getErr()::println);
            TensorBackend backend = pipeline.backend();
            Denoiser denoiser = pipeline.model();
            Npy.Array data = Npy.read(input);
            int[] shape = checkedShape(data.shape(), denoiser);
            Tensor x0 = backend.fromHost(repeated(data.data(), data.data().length / data.shape()[0], repeat), shape);
            Tensor noise = backend.randn(new GaussianNoise(seed), shape);
            SampleOptions options = SampleOptions.defaults().withSeed(seed + 1).withListener(pipeline.listener());
            long started = System.nanoTime();
            Tensor result = switch (mode) {
                case inpaint -> new Inpainting(pipeline.requireSampler(), resampling).inpaint(denoiser, x0, backend.fromHost(mask(shape), shape), noise, options);
                case sdedit -> new Sdedit(pipeline.requireSampler(), strength == null ? 0.5 : strength).edit(denoiser, x0, noise, options);
            };
            write(result, pipeline, started);
        }
    }

    /** Options that belong to the other mode, or a missing mask, fail before anything is loaded. */
    private void checkOptions() {
        if (out == null && grid == null) {
            throw new InvalidParameterException("--out", "missing", "give --out FILE.npy and/or --grid FILE.png");
        }
        if (repeat < 1) {
            throw new InvalidParameterException("--repeat", repeat, "must be an integer >= 1");
        }
        Outputs.checkFiles(out, grid);
        if (mode == Mode.inpaint) {
            if ((knownDims == null) == (mask == null)) {
                throw new InvalidParameterException("--known-dims", knownDims == null ? "missing" : Arrays.toString(knownDims),
                        "inpainting needs exactly one of --known-dims and --mask");
            }
            if (strength != null) {
                throw new InvalidParameterException("--strength", strength, "applies to --mode sdedit only");
            }
        } else if (knownDims != null || mask != null || resampling != 1) {
            throw new InvalidParameterException(knownDims != null ? "--known-dims" : mask != null ? "--mask" : "--resampling",
                    knownDims != null ? Arrays.toString(knownDims) : mask != null ? mask.toString() : resampling, "applies to --mode inpaint only");
        }
    }

    /** The shape of the repeated input, checked against the model's sample shape. */
    private int[] checkedShape(int[] inputShape, Denoiser denoiser) {
        int[] sample = Arrays.copyOfRange(inputShape, 1, inputShape.length);
        if (inputShape.length < 2 || inputShape[0] < 1 || denoiser.sampleShape().map(s -> !Arrays.equals(s, sample)).orElse(false)) {
            throw new InvalidParameterException("--input", input + " of shape " + Arrays.toString(inputShape), "must hold data [n, "
                    + denoiser.sampleShape().map(s -> Arrays.toString(s).replaceAll("[\\[\\]]", "")).orElse("...") + "] for this model");
        }
        Outputs.checkBatchMemory("--repeat", repeat, (long) inputShape[0] * repeat,
                Arrays.stream(sample).asLongStream().reduce(1, (a, b) -> a * b));
        int[] shape = inputShape.clone();
        shape[0] = Math.multiplyExact(inputShape[0], repeat);
        return shape;
    }

    /** The 0/1 mask of the whole batch from --known-dims or --mask. */
    private double[] mask(int[] shape) {
        int n = shape[0];
        int d = Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) / n);
        double[] one;
        if (knownDims != null) {
            one = new double[d];
            for (int j : knownDims) {
                if (j < 0 || j >= d) {
                    throw new InvalidParameterException("--known-dims", j, "must be an index in [0, " + (d - 1) + "] of a sample's " + d + " entries");
                }
                one[j] = 1;
            }
            return repeated(one, d, n);
        }
        Npy.Array m = Npy.read(mask);
        double[] v = m.data();
        if (Arrays.stream(v).anyMatch(x -> x != 0 && x != 1)) {
            throw new InvalidParameterException("--mask", mask.toString(), "must hold only 0 (unknown) and 1 (known)");
        }
        if (v.length == d) {
            return repeated(v, d, n);
        }
        if ((long) v.length * repeat == (long) n * d) {
            return repeated(v, d, repeat);
        }
        throw new InvalidParameterException("--mask", mask + " of shape " + Arrays.toString(m.shape()), "must have the shape of one sample "
                + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)) + " or of the input");
    }

    /** Each row of {@code rowLength} entries of {@code v} {@code times} times in a row. */
    private static double[] repeated(double[] v, int rowLength, int times) {
        double[] r = new double[v.length * times];
        for (int row = 0, k = 0; row < v.length / rowLength; row++) {
            for (int t = 0; t < times; t++, k++) {
                System.arraycopy(v, row * rowLength, r, k * rowLength, rowLength);
            }
        }
        return r;
    }

    private void write(Tensor result, Pipeline pipeline, long started) {
        PrintWriter console = spec.commandLine().getOut();
        if (out != null) {
            Npy.writeDoubles(out, result.toDoubleArray(), result.shape());
        }
        if (grid != null) {
            SamplePicture.save(grid, "--grid", result, Condition.none(), (int) Math.ceil(Math.sqrt(result.batchSize())));
        }
        console.printf(Locale.ROOT, "wrote %s: %s of %d samples, %s on %s, %d steps, %.2f s%n",
                String.join(" and ", java.util.stream.Stream.of(out, grid).filter(java.util.Objects::nonNull).map(Path::toString).toList()),
                mode, result.batchSize(), pipeline.requireSampler().name(), pipeline.schedule().name(), pipeline.requireSampler().steps(),
                (System.nanoTime() - started) / 1e9);
        console.flush();
    }
}
