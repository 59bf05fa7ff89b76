package org.ddpm4j.core.pretrained;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.DiffusersUNetConfig;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.config.DiffusersSchedulerConfig;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.IoErrors;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Safetensors;

/**
 * Writes a checkpoint of a {@value DiffusersUNetConfig#ARCHITECTURE} network as a diffusers model
 * folder that {@link Pretrained#load} and diffusers' {@code UNet2DModel.from_pretrained} read:
 * <pre>
 *   model_index.json                          DDPMPipeline: unet + scheduler
 *   unet/config.json                          the network's hyper-parameters (UNet2DModel arguments)
 *   unet/diffusion_pytorch_model.safetensors  the EMA weights (those the checkpoint samples with), diffusers' names
 *   scheduler/scheduler_config.json           the training schedule as a DDPMScheduler
 * </pre>
 * The folder is staged beside {@code out} and renamed into place: an error leaves nothing behind.
 */
public final class DiffusersExport {
    private DiffusersExport() {
    }

    /** Exports the latest checkpoint of the training directory {@code checkpointDir} to the new folder {@code out}. */
    /** {@link #export(Path, Path, PluginRegistry)} with the plugins on the class path. */
    public static void export(Path checkpointDir, Path out) {
        export(checkpointDir, out, PluginRegistry.load());
    }

    public static void export(Path checkpointDir, Path out, PluginRegistry registry) {
        CheckpointStore store = new CheckpointStore(checkpointDir);
        ModelCard card = store.card();
        NetworkSpec spec = card.spec();
        if (!card.kind().equals("denoiser") || !spec.architecture().equals(DiffusersUNetConfig.ARCHITECTURE)) {
            throw new InvalidParameterException("checkpoint", checkpointDir.toString(), "holds a " + card.kind() + " of architecture '"
                    + spec.architecture() + "'; only a denoiser trained with --arch " + DiffusersUNetConfig.ARCHITECTURE
                    + " has a diffusers UNet2DModel equivalent");
        }
        if (card.flowMatching()) {
            throw new InvalidParameterException("checkpoint", checkpointDir.toString(), "holds a flow-matching model, which diffusers'"
                    + " DDPMScheduler cannot sample; only diffusion (denoising) models export");
        }
        if (Files.exists(out) && !isEmptyDirectory(out)) {
            throw new InvalidParameterException("out", out.toString(), "already exists and is not empty; choose a new folder");
        }
        DiffusersUNetConfig config = DiffusersUNetConfig.of(spec);
        Map<String, Object> scheduler = schedulerConfig(card, registry);
        CheckpointStore.Checkpoint checkpoint = store.latest().orElseThrow(() -> new InvalidParameterException("checkpoint",
                checkpointDir.toString(), "has a model card but no complete checkpoint yet"));
        Map<String, HostArray> weights = weights(checkpoint.state(), config, checkpoint.dir());

        Path parent = out.toAbsolutePath().getParent();
        try {
            Path staged = AtomicFiles.createStagingDirectory(parent, out.getFileName().toString());
            try {
                Files.createDirectories(staged.resolve("unet"));
                Files.createDirectories(staged.resolve("scheduler"));
                Safetensors.write(staged.resolve("unet").resolve(Pretrained.WEIGHTS), weights, Map.of("format", "pt"));
                Json.write(unetConfig(spec), staged.resolve("unet").resolve("config.json"));
                Json.write(scheduler, staged.resolve("scheduler").resolve("scheduler_config.json"));
                Map<String, Object> index = new LinkedHashMap<>();
                index.put("_class_name", "DDPMPipeline");
                index.put("unet", java.util.List.of("diffusers", "UNet2DModel"));
                index.put("scheduler", java.util.List.of("diffusers", "DDPMScheduler"));
                Json.write(index, staged.resolve("model_index.json"));
                if (Files.exists(out)) {
                    Files.delete(out); // the empty folder checked above
                }
                AtomicFiles.move(staged, out);
            } catch (IOException | RuntimeException e) {
                AtomicFiles.deleteTree(staged);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + IoErrors.describe(e), e);
        }
    }

    private static boolean isEmptyDirectory(Path p) {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + IoErrors.describe(e), e);
        }
    }

    /** The weights the checkpoint samples with (EMA when it has them), under diffusers' names, checked against the config. */
    static Map<String, HostArray> weights(Map<String, HostArray> state, DiffusersUNetConfig config, Path source) {
        String prefix = state.keySet().stream().anyMatch(k -> k.startsWith("ema/")) ? "ema/" : "weights/";
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> p : config.parameters().entrySet()) {
            HostArray a = state.get(prefix + p.getKey());
            if (a == null || !java.util.Arrays.equals(a.shape(), p.getValue())) {
                throw new InvalidParameterException("checkpoint", source.toString(), "has no " + prefix + p.getKey() + " of shape "
                        + java.util.Arrays.toString(p.getValue()) + (a == null ? "" : " (it has " + java.util.Arrays.toString(a.shape()) + ")"));
            }
            out.put(p.getKey(), a);
        }
        return out;
    }

    /** {@code config.json} of UNet2DModel: the hyper-parameters, with the sample's size, channels and classes. */
    static Map<String, Object> unetConfig(NetworkSpec spec) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("_class_name", "UNet2DModel");
        c.putAll(spec.hyperparameters().asMap());
        c.put("sample_size", spec.sampleShape()[1]);
        c.put("in_channels", spec.sampleShape()[0]);
        c.put("out_channels", spec.outputChannels());   // twice in_channels with a learned variance
        if (spec.numClasses() > 0) {
            c.put("num_class_embeds", spec.numClasses());
        }
        return c;
    }

    /**
     * The training schedule as diffusers' DDPMScheduler configuration: by {@code beta_schedule} where
     * diffusers computes the same betas, otherwise as {@code trained_betas}.
     */
    static Map<String, Object> schedulerConfig(ModelCard card, PluginRegistry registry) {
        Schedule schedule = registry.createSchedule(card.schedule().type(), Parameters.of(card.schedule().parameters()));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("_class_name", "DDPMScheduler");
        c.putAll(DiffusersSchedulerConfig.writeSchedule(schedule, registry));
        c.put("prediction_type", card.spec().parameterization().diffusersName());
        c.put("clip_sample", false); // ddpm4j's samplers do not clip; diffusers' DDPMScheduler would by default
        c.put("variance_type", card.spec().varianceOutput() == org.ddpm4j.api.model.VarianceOutput.NONE ? "fixed_small"
                : card.spec().varianceOutput().key());
        return c;
    }
}
