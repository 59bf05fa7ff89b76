package org.ddpm4j.backend.tf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.proto.DataType;

/**
 * A denoiser loaded from a SavedModel directory with its model card (see {@link SavedModels} for
 * the format): TensorFlow runs the stored graph; this class checks the card against the graph and
 * the schedule, and feeds and fetches. Time {@code t} may be float64 or float32 in the signature.
 */
final class SavedModelDenoiser implements Denoiser, AutoCloseable {
    private final TfBackend backend;
    private final SavedModelBundle bundle;
    private final Parameterization parameterization;
    private final int[] sampleShape;
    private final int classes;
    private final Operand<?> x;
    private final Operand<?> t;
    private final Operand<?> labels;
    private final Operand<?> output;
    private final boolean doubleTime;

    private SavedModelDenoiser(TfBackend backend, SavedModelBundle bundle, Parameters card, String path) {
        this.backend = backend;
        this.bundle = bundle;
        this.parameterization = Parameterization.parse(card.qualify("parameterization"), card.requireString("parameterization"));
        this.sampleShape = card.requireIntArray("sample_shape");
        this.classes = card.getInt("num_classes", 0);
        Signature signature = bundle.signatures().stream().filter(s -> s.key().equals(Signature.DEFAULT_KEY)).findFirst()
                .orElseThrow(() -> invalid(path, "has no signature '" + Signature.DEFAULT_KEY + "'"));
        Map<String, Signature.TensorDescription> in = signature.getInputs();
        List<String> expected = classes > 0 ? List.of("t", "x", "y") : List.of("t", "x");
        if (!in.keySet().equals(new TreeSet<>(expected)) || !signature.getOutputs().containsKey("output")) {
            throw invalid(path, "signature takes " + new TreeSet<>(in.keySet()) + " and returns " + signature.getOutputs().keySet()
                    + "; a model with num_classes = " + classes + " must take " + expected + " and return [output]");
        }
        long[] xShape = in.get("x").shape.asArray();
        long[] wanted = new long[sampleShape.length + 1];
        wanted[0] = -1;
        for (int i = 0; i < sampleShape.length; i++) {
            wanted[i + 1] = sampleShape[i];
        }
        if (!Arrays.equals(xShape, wanted)) {
            throw invalid(path, "takes x of shape " + Arrays.toString(xShape) + " but its model card says sample_shape "
                    + Arrays.toString(sampleShape));
        }
        this.doubleTime = in.get("t").dataType == DataType.DT_DOUBLE;
        this.x = bundle.graph().output(in.get("x").name);
        this.t = bundle.graph().output(in.get("t").name);
        this.labels = classes > 0 ? bundle.graph().output(in.get("y").name) : null;
        this.output = bundle.graph().output(signature.getOutputs().get("output").name);
    }

    /** Loads {@code dir}; the card must describe a denoiser trained with {@code schedule}. */
    static SavedModelDenoiser load(TfBackend backend, Schedule schedule, Path dir, String parameter) {
        Parameters card = readCard(dir, parameter);
        checkSchedule(card, schedule, dir, parameter);
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.toString()).withConfigProto(backend.settings().sessionConfig()).load();
        } catch (RuntimeException e) {
            throw new InvalidParameterException(parameter, dir.toString(), "is not a readable TensorFlow SavedModel (truncated or corrupt?): "
                    + e.getMessage().strip().lines().findFirst().orElse(""));
        }
        try {
            return backend.own(new SavedModelDenoiser(backend, bundle, card, dir.toString()));
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static Parameters readCard(Path dir, String parameter) {
        Path file = dir.resolve(SavedModels.CARD);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidParameterException(parameter, dir.toString(), "has no " + SavedModels.CARD + " next to the SavedModel");
        } catch (IOException e) {
            throw new InvalidParameterException(parameter, dir.toString(), "cannot read " + file + ": " + e.getMessage());
        }
        Parameters card = Parameters.of(Json.parseObject(text, file.toString())).scoped(file.toString());
        String format = card.getString("format", "");
        if (!format.equals(SavedModels.FORMAT)) {
            throw new InvalidParameterException(card.qualify("format"), format, "must be " + SavedModels.FORMAT + " (is this a ddpm4j model card?)");
        }
        String kind = card.requireString("kind");
        if (!kind.equals("denoiser")) {
            throw new InvalidParameterException(card.qualify("kind"), kind, "must be denoiser");
        }
        return card;
    }

    /** The schedule of the card must be the sampler's: the model's time and noise levels mean nothing under another. */
    private static void checkSchedule(Parameters card, Schedule schedule, Path dir, String parameter) {
        Map<String, Object> saved = new LinkedHashMap<>(card.getNested("schedule").asMap());
        Object type = saved.remove("type");
        if (!schedule.name().equals(type) || !normalised(saved).equals(normalised(schedule.parameters().asMap()))) {
            throw new InvalidParameterException(parameter, dir.toString(), "was trained with schedule " + type + " " + saved
                    + " (its model card) but is used with " + schedule.name() + " " + schedule.parameters().asMap());
        }
    }

    /** Numbers compared by value, whatever their Java type. */
    private static Map<String, Object> normalised(Map<String, Object> m) {
        Map<String, Object> n = new TreeMap<>();
        m.forEach((k, v) -> n.put(k, v instanceof Number num ? (Object) num.doubleValue() : v));
        return n;
    }

    private static InvalidParameterException invalid(String path, String why) {
        return new InvalidParameterException("path", path, why);
    }

    @Override
    public Parameterization parameterization() {
        return parameterization;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public Optional<int[]> sampleShape() {
        return Optional.of(sampleShape.clone());
    }

    @Override
    public Tensor predict(Tensor xt, double[] times, Condition condition) {
        TfTensor input = backend.tensor(xt);
        int[] shape = xt.shape();
        int n = TfNetwork.checkInput(shape, times, sampleShape, "this SavedModel");
        int[] y = TfNetwork.labels(condition, n, classes);
        try (Run run = new Run(bundle.session()).feed(x, input.value())) {
            if (doubleTime) {
                run.feed(t, times);
            } else {
                run.feedFloats(t, times);
            }
            if (labels != null) {
                run.feed(labels, y);
            }
            return backend.wrap(run.fetch(output).run().take(0), shape);
        }
    }

    @Override
    public void close() {
        bundle.close();
        backend.disown(this);
    }
}
