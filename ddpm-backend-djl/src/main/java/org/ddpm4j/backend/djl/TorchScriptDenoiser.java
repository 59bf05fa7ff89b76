package org.ddpm4j.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.api.tensor.Tensor;

/**
 * A denoiser exported from PyTorch as TorchScript: {@code model.pt} computes
 * {@code forward(x_t [N, ...] float32, t [N] float32 or int64[, y [N] int64]) -> [N, ...]}, and
 * {@code model.json} next to it declares what it is:
 * <pre>{@code
 * {
 *   "parameterization": "epsilon",                            // epsilon | sample | v_prediction | score
 *   "schedule": {"type": "linear", "num_train_timesteps": 1000},  // the schedule plugin and its parameters
 *   "sample_shape": [2],                                      // optional: checked on every call
 *   "num_classes": 0,                                         // class-conditional when > 0: y in 0..K-1, K = null class
 *   "time_dtype": "float32"                                   // or int64 (rounded steps)
 * }
 * }</pre>
 * The module is loaded onto the backend's device and freed with the backend (or {@link #close()}).
 */
public final class TorchScriptDenoiser implements Denoiser, AutoCloseable {
    private final DjlBackend backend;
    private final Path file;
    private final Sidecar sidecar;
    private final NDManager manager;
    private final PtSymbolBlock module;

    /** What the JSON next to a TorchScript file declares. */
    public record Sidecar(Parameterization parameterization, String scheduleType, Map<String, Object> scheduleParameters,
                          int[] sampleShape, int numClasses, DataType timeType) {

        /** Reads {@code file}'s sidecar: the same name with {@code .json} instead of {@code .pt}. */
        public static Sidecar read(Path file) {
            Path json = sidecarOf(file);
            if (!Files.exists(json)) {
                throw new InvalidParameterException("path", file.toString(), "needs its JSON sidecar " + json
                        + " (parameterization, schedule); see TorchScriptDenoiser");
            }
            Map<String, Object> map = Json.readObject(json);
            Parameters p = Parameters.of(map).scoped(json.getFileName().toString());
            Parameters schedule = p.getNested("schedule");
            Map<String, Object> scheduleParameters = new LinkedHashMap<>(schedule.asMap());
            if (!(scheduleParameters.remove("type") instanceof String type)) {
                throw new InvalidParameterException(schedule.qualify("type"), schedule.asMap().get("type"), "must name the schedule plugin, e.g. linear");
            }
            Sidecar s = new Sidecar(Parameterization.parse(p.qualify("parameterization"), p.requireString("parameterization")), type,
                    scheduleParameters, p.has("sample_shape") ? p.requireIntArray("sample_shape") : null,
                    p.getInt("num_classes", 0), DataType.valueOf(p.getChoice("time_dtype", "float32", "float32", "int64").toUpperCase()));
            p.requireAllUsed();
            if (s.numClasses < 0) {
                throw new InvalidParameterException(p.qualify("num_classes"), s.numClasses, "must be >= 0");
            }
            return s;
        }

        /** Fails unless {@code schedule} is the one the model was trained with (its plugin and the declared parameters). */
        void check(Schedule schedule, Path file) {
            Map<String, Object> actual = schedule.parameters().asMap();
            boolean same = schedule.name().equals(scheduleType) && scheduleParameters.entrySet().stream()
                    .allMatch(e -> !actual.containsKey(e.getKey()) || sameValue(e.getValue(), actual.get(e.getKey())));
            if (!same) {
                throw new InvalidParameterException("schedule", schedule.name() + " " + actual, "the model " + file
                        + " declares " + scheduleType + " " + scheduleParameters);
            }
        }

        private static boolean sameValue(Object a, Object b) {
            if (a instanceof Number x && b instanceof Number y) {
                return x.doubleValue() == y.doubleValue();
            }
            return Objects.equals(String.valueOf(a), String.valueOf(b));
        }
    }

    /** The sidecar of a TorchScript file. */
    public static Path sidecarOf(Path file) {
        String name = file.getFileName().toString();
        return file.resolveSibling((name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name) + ".json");
    }

    /** Loads {@code file} and its sidecar onto {@code backend}'s device. */
    public TorchScriptDenoiser(DjlBackend backend, Path file) {
        this(backend, file, Sidecar.read(file));
    }

    TorchScriptDenoiser(DjlBackend backend, Path file, Sidecar sidecar) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidParameterException("path", file.toString(), "does not exist (expected a TorchScript .pt file)");
        }
        this.backend = backend;
        this.file = file;
        this.sidecar = sidecar;
        this.manager = backend.newModelManager();
        try {
            this.module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], false);
        } catch (RuntimeException e) {
            manager.close();
            throw new InvalidParameterException("path", file.toString(), "is not a loadable TorchScript file: " + e.getMessage());
        }
    }

    public Sidecar sidecar() {
        return sidecar;
    }

    @Override
    public Parameterization parameterization() {
        return sidecar.parameterization();
    }

    @Override
    public int numClasses() {
        return sidecar.numClasses();
    }

    @Override
    public Optional<int[]> sampleShape() {
        return Optional.ofNullable(sidecar.sampleShape()).map(int[]::clone);
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        int n = x.batchSize();
        ModelInputs.check(x, t, sidecar.sampleShape(), file.toString());
        int[] labels = ModelInputs.labels(condition, n, sidecar.numClasses(), "the model " + file);
        NDArray input = backend.array(x);
        boolean gradients = DjlEngine.gradientsOff();
        try (NDManager call = backend.manager().newSubManager()) {
            call.tempAttachAll(input);
            NDList inputs = new NDList(input, times(call, t));
            if (sidecar.numClasses() > 0) {
                // the module takes the null class as row K, like the networks of docs/NETWORKS.md
                inputs.add(call.create(Arrays.stream(labels).mapToLong(l -> l == Condition.NULL_CLASS ? sidecar.numClasses() : l).toArray()));
            }
            NDArray out = module.forward(new ParameterStore(call, false), inputs, false).head();
            if (!out.getShape().equals(input.getShape())) {
                throw new IllegalStateException("the model " + file + " returned shape " + out.getShape() + " for input " + input.getShape());
            }
            return backend.wrap(out.toType(DataType.FLOAT32, false));
        } finally {
            DjlEngine.restoreGradients(gradients);
        }
    }

    private NDArray times(NDManager m, double[] t) {
        if (sidecar.timeType() == DataType.INT64) {
            return m.create(Arrays.stream(t).mapToLong(Math::round).toArray());
        }
        float[] f = new float[t.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) t[i];
        }
        return m.create(f, new Shape(t.length));
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "TorchScriptDenoiser[" + file + ", " + sidecar.parameterization().diffusersName() + "]";
    }
}
