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
import org.ddpm4j.toolkit.io.ContentHash;
import org.ddpm4j.toolkit.io.IoErrors;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npz;
import org.ddpm4j.toolkit.io.Safetensors;

/**
 * The checkpoints of one training run, in a directory:
 * <pre>
 *   model-card.json                       what the model is (written once)
 *   checkpoints/step-00001000/state.safetensors  weights, EMA weights, optimizer state (by name;
 *                                         state.npz in checkpoints of earlier versions, still read)
 *   checkpoints/step-00001000/training.json  step, seed, loss history, the state file's SHA-256
 *   checkpoints/latest                     the name of the newest complete checkpoint
 * </pre>
 * Loading a checkpoint's state checks it first: the SHA-256 of the state file against the one
 * recorded in {@code training.json} when it was written (whatever the state file's format), and
 * the archive's structure (and an {@code .npz}'s CRC-32s). A damaged checkpoint is an error that names the newest intact one, never
 * weights with flipped bits.
 * A checkpoint is written into a hidden temporary directory, synced, renamed into place, and only
 * then named in {@code latest} (itself replaced atomically): a crash or Ctrl-C at any moment leaves
 * the previous checkpoint intact and {@code latest} pointing at a complete one.
 */
public final class CheckpointStore {
    private static final String LATEST = "latest";
    private static final String STATE = "state.safetensors";
    /** What earlier versions wrote: NumPy's .npz of the same arrays (no {@code state_file} key, or this name in it). */
    private static final String LEGACY_STATE = "state.npz";
    private static final String TRAINING = "training.json";
    /** Keys of {@code training.json}: which file holds the state, and its SHA-256. */
    static final String STATE_FILE = "state_file";
    static final String STATE_SHA256 = "state_sha256";

    private final Path dir;
    /** Set by {@link #closeForShutdown}: no checkpoint is written (or pruned) after it. */
    private boolean closed;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** One complete checkpoint. */
    public record Checkpoint(int step, Path dir) {
        /** The state, after checking the state file's archive (CRCs) and its recorded SHA-256. */
        public Map<String, HostArray> state() {
            try {
                return verifiedState();
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        /**
         * Reads the state file (structure and CRC errors first: they say what is wrong) and checks its
         * SHA-256 against the one recorded when it was written. Checkpoints written without a hash
         * (older versions, converters) are checked by their CRCs only.
         */
        private Map<String, HostArray> verifiedState() {
            Map<String, Object> training = training();
            Path file = stateFile(training);
            Map<String, HostArray> state = file.getFileName().toString().equals(STATE) ? Safetensors.read(file) : Npz.read(file);
            Object recorded = training.get(STATE_SHA256);
            if (recorded != null) {
                String actual = ContentHash.of(file);
                if (!actual.equals(recorded)) {
                    throw new InvalidParameterException("file", file.toString(), "has SHA-256 " + actual + " but " + TRAINING
                            + " recorded " + recorded + " when it was written: the file is damaged");
                }
            }
            return state;
        }

        /** The file holding the arrays: {@code state.safetensors}, or {@code state.npz} in a checkpoint of an earlier version. */
        public Path stateFile() {
            return stateFile(training());
        }

        private Path stateFile(Map<String, Object> training) {
            Object name = training.getOrDefault(STATE_FILE, LEGACY_STATE);
            if (!STATE.equals(name) && !LEGACY_STATE.equals(name)) {
                throw new InvalidParameterException(STATE_FILE, name, "in " + dir.resolve(TRAINING) + " must be '" + STATE + "' or '" + LEGACY_STATE + "'");
            }
            return dir.resolve((String) name);
        }

        /** True when the state file reads back and matches its recorded hash. */
        boolean intact() {
            try {
                verifiedState();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }

        private InvalidParameterException damaged(RuntimeException cause) {
            String newest = newestIntact(dir.getParent(), step).map(c -> "the newest intact checkpoint is " + c.dir()
                    + " (write its name '" + c.dir().getFileName() + "' into " + dir.resolveSibling(LATEST) + " to use it)")
                    .orElse("no older intact checkpoint is left");
            InvalidParameterException e = new InvalidParameterException("checkpoint", dir.toString(),
                    "is damaged (" + cause.getMessage() + "); " + newest);
            e.initCause(cause);
            return e;
        }

        public Map<String, Object> training() {
            return Json.readObject(dir.resolve(TRAINING));
        }
    }

    /** The newest checkpoint older than {@code step} in {@code checkpoints} whose state is intact. */
    private static Optional<Checkpoint> newestIntact(Path checkpoints, int step) {
        try (Stream<Path> s = Files.list(checkpoints)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d{8}"))
                    .map(p -> new Checkpoint(Integer.parseInt(p.getFileName().toString().substring(5)), p))
                    .filter(c -> c.step() < step).sorted(java.util.Comparator.comparingInt(Checkpoint::step).reversed())
                    .filter(Checkpoint::intact).findFirst();
        } catch (IOException e) {
            return Optional.empty();
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

    /** Writes the card; an existing card must describe the same model trained on the same data (same fingerprint). */
    public void writeCard(ModelCard card) {
        Path file = dir.resolve(ModelCard.FILE);
        if (Files.isRegularFile(file)) {
            ModelCard existing = ModelCard.read(file);
            if (!existing.spec().equals(card.spec()) || !existing.schedule().equals(card.schedule())) {
                throw new InvalidParameterException("checkpoint", dir.toString(),
                        "already holds a different model (" + existing.spec() + "); use another directory");
            }
            Object had = existing.data().get(DataFingerprint.KEY);
            Object has = card.data().get(DataFingerprint.KEY);
            if (had != null && has != null && !String.valueOf(had).equals(String.valueOf(has))) {
                throw new InvalidParameterException("data", has, "differs from the data the model in " + dir + " was trained on ("
                        + had + "); continue with the same data, labels and conditioning, or use another directory");
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
            if (!name.matches("step-\\d{8}") || !Files.isRegularFile(d.resolve(STATE)) && !Files.isRegularFile(d.resolve(LEGACY_STATE))) {
                throw new InvalidParameterException("checkpoint", pointer.toString(), "names '" + name + "', which is not a complete checkpoint; "
                        + newestIntact(checkpoints(), Integer.MAX_VALUE).map(c -> "the newest intact checkpoint is " + c.dir())
                        .orElse("no intact checkpoint is left"));
            }
            return Optional.of(new Checkpoint(Integer.parseInt(name.substring(5)), d));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer + ": " + IoErrors.describe(e), e);
        }
    }

    /**
     * The newest complete checkpoint, which stays the newest: a save in progress finishes first, and
     * every later {@link #save} is refused. For a process being stopped (its training thread runs on
     * while the shutdown hooks do): the checkpoint it reports can be neither replaced nor pruned.
     */
    public synchronized Optional<Checkpoint> closeForShutdown() {
        closed = true;
        return latest();
    }

    /**
     * Writes a checkpoint of {@code step} and makes it the latest; keeps the newest {@code keep}.
     *
     * @throws IllegalStateException after {@link #closeForShutdown}
     */
    public synchronized Checkpoint save(int step, Map<String, HostArray> state, Map<String, Object> training, int keep) {
        String name = String.format("step-%08d", step);
        Path target = checkpoints().resolve(name);
        if (closed) {
            throw new IllegalStateException("not writing checkpoint " + target + ": the process is stopping");
        }
        try {
            Files.createDirectories(checkpoints());
            Path tmp = AtomicFiles.createStagingDirectory(checkpoints(), name);
            Safetensors.write(tmp.resolve(STATE), state, null);
            Map<String, Object> metadata = new java.util.LinkedHashMap<>(training);
            metadata.put(STATE_FILE, STATE);
            metadata.put(STATE_SHA256, ContentHash.of(tmp.resolve(STATE)));
            Json.write(metadata, tmp.resolve(TRAINING));
            if (Files.exists(target)) {
                AtomicFiles.deleteTree(target);
            }
            AtomicFiles.move(tmp, target);
            AtomicFiles.writeString(checkpoints().resolve(LATEST), name + "\n");
            prune(keep);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + IoErrors.describe(e), e);
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
