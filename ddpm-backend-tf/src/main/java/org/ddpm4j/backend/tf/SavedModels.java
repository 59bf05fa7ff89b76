package org.ddpm4j.backend.tf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Denoisers as TensorFlow SavedModels, usable without ddpm4j's network code (TensorFlow Serving,
 * Python's {@code tf.saved_model.load}) and loaded back by the {@code savedmodel} denoiser factory.
 *
 * <p>A model directory holds {@code saved_model.pb}, {@code variables/} (the weights under their
 * {@code docs/NETWORKS.md} names, TensorFlow layouts) and {@code model-card.json} (the ddpm4j model
 * card: architecture, sample shape, classes, parameterization, schedule). Its signature
 * {@code serving_default} takes {@code x} (float32 {@code [n, ...sample shape]}, images NCHW),
 * {@code t} (float64 {@code [n]}, the schedule's model time) and, for class-conditional models,
 * {@code y} (int32 {@code [n]}, {@code -1} for the null class), and returns {@code output} (the
 * shape of x): the prediction of the card's parameterization.
 */
public final class SavedModels {
    public static final String CARD = "model-card.json";
    static final String FORMAT = "ddpm4j-model/1";

    private SavedModels() {
    }

    /**
     * Writes the EMA weights of {@code denoiser} (any backend's {@code mlp} or {@code unet}) as a
     * SavedModel into the new directory {@code dir}, with the model card of {@code schedule}. The
     * directory appears complete or not at all; an existing one is never replaced.
     */
    public static void export(TrainableDenoiser denoiser, Schedule schedule, Path dir) {
        if (Files.exists(dir)) {
            throw new InvalidParameterException("path", dir.toString(), "already exists; a SavedModel is written into a new directory");
        }
        NetworkSpec spec = denoiser.spec();
        Architecture architecture = Architecture.denoiser(spec);
        Map<String, HostArray> state = denoiser.exportState();
        Path tmp = null;
        try {
            Path parent = dir.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".");
            Path model = tmp.resolve("model"); // the exporter creates its own directory
            writeGraph(architecture, spec, state, model);
            Files.writeString(model.resolve(CARD), Json.write(card(spec, schedule)), StandardCharsets.UTF_8);
            move(model, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the SavedModel " + dir, e);
        } finally {
            delete(tmp);
        }
    }

    private static void writeGraph(Architecture architecture, NetworkSpec spec, Map<String, HostArray> state, Path dir) throws IOException {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            int[] sample = spec.sampleShape();
            long[] shape = new long[sample.length + 1];
            shape[0] = -1;
            for (int i = 0; i < sample.length; i++) {
                shape[i + 1] = sample[i];
            }
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
            Placeholder<TFloat64> t = tf.withName("t").placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
            Placeholder<TInt32> y = tf.withName("y").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
            Map<Parameter, Variable<TFloat32>> variables = new LinkedHashMap<>();
            Operand<TFloat32> output = tf.withName("output").identity(architecture.forward(new Layers(tf,
                    p -> variables.computeIfAbsent(p, q -> tf.withName(q.name()).variable(Shape.of(q.tfShape()), TFloat32.class)), null), x, t, y));
            Signature.Builder signature = Signature.builder().key(Signature.DEFAULT_KEY).input("x", x).input("t", t).output("output", output);
            if (spec.numClasses() > 0) {
                signature.input("y", y);
            }
            try (Session session = new Session(graph)) {
                assign(tf, session, variables, state);
                SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature.build()).export();
            }
        }
    }

    /** Sets each variable to the EMA weights (the weights where the state has no EMA). */
    private static void assign(Ops tf, Session session, Map<Parameter, Variable<TFloat32>> variables, Map<String, HostArray> state) {
        StateCheck.check(state, List.copyOf(variables.keySet()), "exported");
        try (Run run = new Run(session)) {
            for (Map.Entry<Parameter, Variable<TFloat32>> e : variables.entrySet()) {
                Parameter p = e.getKey();
                HostArray value = state.getOrDefault("ema/" + p.name(), state.get("weights/" + p.name()));
                Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class);
                run.feedCreated(feed, p.toTensor(value.data())).target(tf.assign(e.getValue(), feed));
            }
            run.run();
        }
    }

    /** The model card, in the format of ddpm4j's {@code ModelCard}. */
    static Map<String, Object> card(NetworkSpec spec, Schedule schedule) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("format", FORMAT);
        card.put("kind", "denoiser");
        card.put("architecture", spec.architecture());
        card.put("hyperparameters", spec.hyperparameters().asMap());
        card.put("sample_shape", Arrays.stream(spec.sampleShape()).boxed().toList());
        card.put("num_classes", spec.numClasses());
        card.put("class_names", List.of());
        card.put("parameterization", spec.parameterization().diffusersName());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", schedule.name());
        s.putAll(schedule.parameters().asMap());
        card.put("schedule", s);
        card.put("backend", TfBackend.NAME);
        card.put("data", Map.of());
        return card;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the temporary directory " + dir, e);
        }
    }
}
