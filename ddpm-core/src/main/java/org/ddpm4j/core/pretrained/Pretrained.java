package org.ddpm4j.core.pretrained;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.DiffusersUNetConfig;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Safetensors;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * A diffusers model folder of a {@code UNet2DModel} and its scheduler, loaded onto a network backend:
 * <pre>
 *   model_index.json                          (optional)
 *   unet/config.json                          or config.json at the root (the flat layout)
 *   unet/diffusion_pytorch_model.safetensors  or at the root
 *   scheduler/scheduler_config.json           or at the root (optional: then give one when sampling)
 * </pre>
 * The weights keep diffusers' names ({@link DiffusersUNetConfig#parameters()}); old attention
 * names are renamed as diffusers renames them. Every check (layout, class, keys, names, shapes)
 * runs before the backend allocates anything.
 *
 * <pre>{@code
 * try (Pretrained model = Pretrained.load(Path.of("ddpm-cifar10-32"), backend)) {
 *     DiffusersScheduler s = model.scheduler(Map.of("steps", 10), registry);
 *     Tensor images = s.sampler().sample(model.denoiser(), noise, Condition.none(), SamplingOptions.defaults());
 * }
 * }</pre>
 */
public final class Pretrained implements AutoCloseable {
    public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";
    private static final String MODEL_CLASS = "UNet2DModel";

    private final Path root;
    private final NetworkSpec spec;
    private final DiffusersUNetConfig config;
    private final Optional<Path> schedulerConfig;
    private final TrainableDenoiser denoiser;

    private Pretrained(Path root, NetworkSpec spec, DiffusersUNetConfig config, Optional<Path> schedulerConfig, TrainableDenoiser denoiser) {
        this.root = root;
        this.spec = spec;
        this.config = config;
        this.schedulerConfig = schedulerConfig;
        this.denoiser = denoiser;
    }

    /** Reads and checks the folder {@code dir}, then builds the network on {@code backend} with its weights. */
    public static Pretrained load(Path dir, NetworkBackend backend) {
        Layout layout = Layout.of(dir);
        Map<String, Object> modelConfig = Json.readObject(layout.config);
        Object className = modelConfig.get("_class_name");
        if (className != null && !MODEL_CLASS.equals(className)) {
            throw new InvalidParameterException(layout.config + " _class_name", className, "only " + MODEL_CLASS + " is supported");
        }
        Map<String, Object> scheduler = layout.scheduler.map(Json::readObject).orElse(Map.of());
        Parameters schedulerParameters = Parameters.of(scheduler);
        Parameterization prediction = Parameterization.parse("prediction_type", schedulerParameters.getString("prediction_type", "epsilon"));
        // a learned variance is the scheduler's to declare: the model's out_channels must then be twice its in_channels
        String varianceType = schedulerParameters.getString("variance_type", "fixed_small");
        VarianceOutput variance = varianceType.equals("learned") || varianceType.equals("learned_range")
                ? VarianceOutput.parse("variance_type", varianceType) : VarianceOutput.NONE;
        NetworkSpec spec = spec(modelConfig, layout.config, prediction).withVarianceOutput(variance);
        DiffusersUNetConfig config = DiffusersUNetConfig.of(spec);
        NamedWeights weights = readWeights(layout.weights, config);
        TrainableDenoiser denoiser = backend.newDenoiser(spec, OptimizerSettings.defaults(), weights);
        return new Pretrained(layout.root, spec, config, layout.scheduler, denoiser);
    }

    /** The network specification of a {@code config.json}: its keys become the hyper-parameters. */
    public static NetworkSpec spec(Map<String, Object> modelConfig, Path source, Parameterization prediction) {
        Parameters p = Parameters.of(modelConfig).scoped(source.toString());
        int channels = p.getInt("in_channels", 3);
        int size;
        Object sampleSize = modelConfig.get("sample_size");
        if (sampleSize instanceof List<?> hw && hw.size() == 2) {
            int[] s = p.requireIntArray("sample_size");
            if (s[0] != s[1]) {
                throw new InvalidParameterException(p.qualify("sample_size"), sampleSize, "non-square samples are not supported");
            }
            size = s[0];
        } else if (sampleSize == null) {
            throw new InvalidParameterException(p.qualify("sample_size"), null, "is required to know the image size");
        } else {
            size = p.requireInt("sample_size");
        }
        int classes = p.has("num_class_embeds") ? p.requireInt("num_class_embeds") : 0;
        Map<String, Object> hyper = new LinkedHashMap<>();
        modelConfig.forEach((k, v) -> {
            if (!k.startsWith("_")) {
                hyper.put(k, v);
            }
        });
        return new NetworkSpec(DiffusersUNetConfig.ARCHITECTURE, new int[] {channels, size, size}, classes, prediction, Parameters.of(hyper));
    }

    /**
     * The weights of {@code file} under diffusers' current names, checked against the parameters
     * of {@code config}: a missing, extra or wrongly shaped parameter is an error listing them all.
     * Each tensor is read from the memory-mapped file when asked for.
     */
    public static NamedWeights readWeights(Path file, DiffusersUNetConfig config) {
        Safetensors st = Safetensors.open(file);
        Map<String, int[]> expected = config.parameters();
        Map<String, String> byModernName = new LinkedHashMap<>();
        for (String name : st.names()) {
            String modern = DiffusersUNetConfig.modernName(name);
            if (byModernName.put(modern, name) != null) {
                throw new InvalidParameterException("file", file.toString(), "holds parameter '" + modern + "' twice (old and new name)");
            }
        }
        Set<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(byModernName.keySet());
        Set<String> extra = new TreeSet<>(byModernName.keySet());
        extra.removeAll(expected.keySet());
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, String> e : byModernName.entrySet()) {
            int[] want = expected.get(e.getKey());
            if (want != null && !java.util.Arrays.equals(want, st.entries().get(e.getValue()).shape())) {
                wrongShape.add(e.getValue() + " " + java.util.Arrays.toString(st.entries().get(e.getValue()).shape())
                        + " (expected " + java.util.Arrays.toString(want) + ")");
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty() || !wrongShape.isEmpty()) {
            StringBuilder why = new StringBuilder("does not match its config.json:");
            if (!missing.isEmpty()) {
                why.append(" missing ").append(missing.size()).append(" parameters [").append(String.join(", ", missing)).append("];");
            }
            if (!extra.isEmpty()) {
                why.append(" unexpected ").append(extra.size()).append(" parameters [").append(String.join(", ", extra)).append("];");
            }
            if (!wrongShape.isEmpty()) {
                why.append(" wrong shapes [").append(String.join(", ", wrongShape)).append("];");
            }
            throw new InvalidParameterException("file", file.toString(), why.substring(0, why.length() - 1));
        }
        return new NamedWeights() {
            @Override
            public Set<String> names() {
                return expected.keySet();
            }

            @Override
            public HostArray read(String name) {
                String stored = byModernName.get(name);
                if (stored == null) {
                    throw new InvalidParameterException("weights", name, "is not a parameter of " + file);
                }
                return st.read(stored);
            }
        };
    }

    /** The folder's scheduler configured for a run ({@code steps}, {@code eta}, ...). */
    public DiffusersScheduler scheduler(Map<String, Object> run, PluginRegistry registry) {
        return scheduler(null, run, registry);
    }

    /**
     * The folder's scheduler as another diffusers class, as {@code NewClass.from_config(old.config)}
     * does: the schedule and every key the new class reads carry over ({@code className} null: the
     * folder's own class).
     */
    public DiffusersScheduler scheduler(String className, Map<String, Object> run, PluginRegistry registry) {
        return scheduler(root, className, run, registry);
    }

    /** {@link #scheduler(String, Map, PluginRegistry)} of the folder {@code root} without loading its model. */
    public static DiffusersScheduler scheduler(Path root, String className, Map<String, Object> run, PluginRegistry registry) {
        Path file = Layout.scheduler(root).orElseThrow(() -> new InvalidParameterException("pretrained", root.toString(),
                "has no scheduler/scheduler_config.json (nor scheduler_config.json at the root); give a scheduler configuration"));
        return DiffusersScheduler.read(file, className, run, registry);
    }

    /** The scheduler configuration file of the folder, if it has one. */
    public Optional<Path> schedulerConfig() {
        return schedulerConfig;
    }

    /** The scheduler configuration file of the folder {@code dir} ({@code scheduler/} or the root), if it has one. */
    public static Optional<Path> schedulerConfig(Path dir) {
        return Layout.scheduler(dir);
    }

    /** The network, with the folder's weights. */
    public TrainableDenoiser denoiser() {
        return denoiser;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public DiffusersUNetConfig config() {
        return config;
    }

    public Path root() {
        return root;
    }

    /** One line: architecture, size, parameters. */
    public String describe() {
        int[] s = spec.sampleShape();
        return "diffusers UNet2DModel (" + DiffusersUNetConfig.ARCHITECTURE + ") " + s[0] + "x" + s[1] + "x" + s[2] + ", "
                + String.format("%,d", denoiser.parameterCount()) + " parameters"
                + (config.classes() > 0 ? ", " + config.classes() + " classes" : "")
                + (config.ignoredKeys().isEmpty() ? "" : " (ignored config keys: " + String.join(", ", config.ignoredKeys()) + ")");
    }

    @Override
    public void close() {
        denoiser.close();
    }

    /** Where the files of a diffusers folder are: in {@code unet/} and {@code scheduler/}, or flat at the root. */
    private record Layout(Path root, Path config, Path weights, Optional<Path> scheduler) {
        static Layout of(Path dir) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidParameterException("pretrained", dir.toString(), "is not a directory (a diffusers model folder)");
            }
            Path unet = Files.isRegularFile(dir.resolve("unet").resolve("config.json")) ? dir.resolve("unet") : dir;
            Path config = unet.resolve("config.json");
            if (!Files.isRegularFile(config)) {
                throw new InvalidParameterException("pretrained", dir.toString(),
                        "has neither unet/config.json nor config.json: not a diffusers UNet2DModel folder");
            }
            Path weights = unet.resolve(WEIGHTS);
            if (!Files.isRegularFile(weights)) {
                if (Files.isRegularFile(unet.resolve(WEIGHTS + ".index.json"))) {
                    throw new InvalidParameterException("pretrained", dir.toString(), "holds sharded weights (" + WEIGHTS
                            + ".index.json), which are not supported; save the model unsharded");
                }
                if (Files.isRegularFile(unet.resolve("diffusion_pytorch_model.bin"))) {
                    throw new InvalidParameterException("pretrained", dir.toString(), "holds only diffusion_pytorch_model.bin (a pickle, "
                            + "which is not read for safety); convert it to safetensors, e.g. in Python: "
                            + "UNet2DModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)");
                }
                throw new InvalidParameterException("pretrained", dir.toString(), "has no " + unet.relativize(weights).toString().replace('\\', '/')
                        + " in " + unet);
            }
            return new Layout(dir, config, weights, scheduler(dir));
        }

        static Optional<Path> scheduler(Path dir) {
            Path scheduler = Files.isRegularFile(dir.resolve("scheduler").resolve("scheduler_config.json"))
                    ? dir.resolve("scheduler").resolve("scheduler_config.json") : dir.resolve("scheduler_config.json");
            return Files.isRegularFile(scheduler) ? Optional.of(scheduler) : Optional.empty();
        }
    }
}
