package org.ddpm4j.core.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.toolkit.io.AtomicFiles;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npz;

/**
 * The checkpoints of one training run, in a directory:
 * <pre>
 *   model-card.json                       what the model is (written once)
 *   checkpoints/step-00001000/state.npz   weights, EMA weights, optimizer state (NumPy, by name)
 *   checkpoints/step-00001000/training.json  step, seed, loss history
 *   checkpoints/latest                     the name of the newest complete checkpoint
 * </pre>
 * A checkpoint is written into a hidden temporary directory, synced, renamed into place, and only
 * then named in {@code latest} (itself replaced atomically): a crash or Ctrl-C at any moment leaves
 * the previous checkpoint intact and {@code latest} pointing at a complete one.
 */
public final class CheckpointStore {
    private static final String LATEST = "latest";
    private static final String STATE = "state.npz";
    private static final String TRAINING = "training.json";

    private final Path dir;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** One complete checkpoint. */
    public record Checkpoint(int step, Path dir) {
        public Map<String, HostArray> state() {
            return Npz.read(dir.resolve(STATE));
        }

        public Map<String, Object> training() {
            return Json.readObject(dir.resolve(TRAINING));
        }
    }

    private Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    /** The card of the model in this directory. */
    public ModelCard card() {
        Path file = dir.resolve(ModelCard.FILE);
        if (!Files.isRegularFile(file)) {
            throw new InvalidParameterException("checkpoint", dir.toString(), "has no " + ModelCard.FILE + " (not a ddpm4j model directory)");
        }
        return ModelCard.read(file);
    }

    /** Writes the card; an existing card must describe the same model. */
    public void writeCard(ModelCard card) {
        Path file = dir.resolve(ModelCard.FILE);
        if (Files.isRegularFile(file)) {
            ModelCard existing = ModelCard.read(file);
            if (!existing.spec().equals(card.spec()) || !existing.schedule().equals(card.schedule())) {
                throw new InvalidParameterException("checkpoint", dir.toString(),
                        "already holds a different model (" + existing.spec() + "); use another directory");
            }
            return;
        }
        card.write(file);
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Checkpoint> latest() {
        Path pointer = checkpoints().resolve(LATEST);
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        try {
            String name = Files.readString(pointer).trim();
            Path d = checkpoints().resolve(name);
            if (!name.matches("step-\\d{8}") || !Files.isRegularFile(d.resolve(STATE))) {
                throw new InvalidParameterException("checkpoint", pointer.toString(), "names '" + name + "', which is not a complete checkpoint");
            }
            return Optional.of(new Checkpoint(Integer.parseInt(name.substring(5)), d));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer, e);
        }
    }

    /** Writes a checkpoint of {@code step} and makes it the latest; keeps the newest {@code keep}. */
    public Checkpoint save(int step, Map<String, HostArray> state, Map<String, Object> training, int keep) {
        String name = String.format("step-%08d", step);
        Path target = checkpoints().resolve(name);
        try {
            Files.createDirectories(checkpoints());
            Path tmp = AtomicFiles.createStagingDirectory(checkpoints(), name);
            Npz.write(tmp.resolve(STATE), state);
            Json.write(training, tmp.resolve(TRAINING));
            if (Files.exists(target)) {
                AtomicFiles.deleteTree(target);
            }
            AtomicFiles.move(tmp, target);
            AtomicFiles.writeString(checkpoints().resolve(LATEST), name + "\n");
            prune(keep);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
        return new Checkpoint(step, target);
    }

    private void prune(int keep) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(checkpoints())) {
            s.filter(p -> p.getFileName().toString().matches("step-\\d{8}")).sorted().forEach(all::add);
        }
        for (int i = 0; i < all.size() - keep; i++) {
            AtomicFiles.deleteTree(all.get(i));
        }
        try (Stream<Path> s = Files.list(checkpoints())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".step-")).toList()) {
                AtomicFiles.deleteTree(p); // left behind by an interrupted save
            }
        }
    }
}
