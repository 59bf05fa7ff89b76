package org.ddpm4j.core.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.MemoryBudget;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.Trainable;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;

/**
 * The training loop, the same for every backend and every network: draw a batch, let the step
 * function build its regression problem and take one optimizer step, record the loss, checkpoint.
 *
 * <p>Everything random in step {@code k} is drawn from {@link GaussianNoise#forStep(long, long)} of
 * the run's seed and {@code k} (batch indices, times, noise, condition dropout, the seed of network
 * dropout), so the only state a checkpoint needs besides the network is the step count: a run
 * resumed from a checkpoint repeats the uninterrupted run exactly (given a deterministic backend).
 */
public final class Trainer {
    private final TrainingSettings settings;
    private final TrainingData data;
    private final TensorBackend backend;
    private final TrainingListener listener;

    /** One optimizer step on a batch of clean data; returns the loss. */
    @FunctionalInterface
    public interface StepFunction {
        double step(Tensor x0, Condition labels, GaussianNoise noise, double learningRate, long stepSeed);
    }

    /** The outcome of a run. */
    public record Result(int steps, double[] losses, Optional<CheckpointStore.Checkpoint> checkpoint) {
    }

    public Trainer(TrainingSettings settings, TrainingData data, TensorBackend backend, TrainingListener listener) {
        this.settings = settings;
        this.data = data;
        this.backend = backend;
        this.listener = listener;
        if (data.size() == 0) {
            throw new InvalidParameterException("data", "0 samples", "needs at least one training sample");
        }
    }

    /** Trains a denoiser on the objective's regression problem. */
    public Result trainDenoiser(TrainableDenoiser model, Objective objective, Optional<CheckpointStore> store, boolean resume) {
        checkClasses(model.numClasses());
        requireLoss(model, objective);
        return run(model, (x0, labels, noise, lr, seed) -> {
            TrainingBatch batch = objective.batch(x0, labels, noise);
            double loss = model.trainStep(batch, lr, seed);
            objective.record(batch);
            return loss;
        }, store, resume);
    }

    /** A network with a learned variance trains with the variational bound, one without it with the regression only. */
    private static void requireLoss(TrainableDenoiser model, Objective objective) {
        boolean learned = model.varianceOutput() != org.ddpm4j.api.model.VarianceOutput.NONE;
        if (learned != (objective.loss() != Objective.Loss.SIMPLE)) {
            throw new InvalidParameterException("loss", objective.loss().key(), learned
                    ? "a network with a learned variance (variance output " + model.varianceOutput().key() + ") trains with the hybrid or vlb loss"
                    : "trains a learned variance; this network outputs none (build it with variance output learned_range)");
        }
    }

    /**
     * Trains a denoiser on couplings: every training sample is a pair {@code [x_0, eps]} (shape
     * {@code [2, ...]}), regressed with its own noise ({@link Objective#coupledBatch}): reflow.
     */
    public Result trainCoupled(TrainableDenoiser model, Objective objective, Optional<CheckpointStore> store, boolean resume) {
        checkClasses(model.numClasses());
        requireLoss(model, objective);
        int[] pair = data.sampleShape();
        if (pair.length < 2 || pair[0] != 2) {
            throw new InvalidParameterException("data", java.util.Arrays.toString(pair), "couplings must be pairs of shape [2, ...]");
        }
        int[] one = java.util.Arrays.copyOfRange(pair, 1, pair.length);
        int d = data.sampleSize() / 2;
        return run(model, (pairs, labels, noise, lr, seed) -> {
            int n = pairs.batchSize();
            float[] all = pairs.toFloatArray();
            float[] x0 = new float[n * d];
            float[] eps = new float[n * d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(all, 2 * i * d, x0, i * d, d);
                System.arraycopy(all, (2 * i + 1) * d, eps, i * d, d);
            }
            int[] shape = new int[one.length + 1];
            shape[0] = n;
            System.arraycopy(one, 0, shape, 1, one.length);
            TrainingBatch batch = objective.coupledBatch(backend.fromHost(x0, shape), backend.fromHost(eps, shape), labels, noise);
            double loss = model.trainStep(batch, lr, seed);
            objective.record(batch);
            return loss;
        }, store, resume);
    }

    /** Trains a noisy-input classifier on {@code x_t} at times drawn uniformly, like the denoiser's. */
    public Result trainClassifier(TrainableClassifier model, Schedule schedule, Optional<CheckpointStore> store, boolean resume) {
        return trainClassifier(model, schedule, false, store, resume);
    }

    /**
     * Trains a classifier on {@code x_t} at uniform times, or with {@code clean} at the first time
     * only ({@code t = 0}, data almost free of noise): the evaluation classifier of generated data.
     */
    public Result trainClassifier(TrainableClassifier model, Schedule schedule, boolean clean, Optional<CheckpointStore> store,
                                  boolean resume) {
        if (data.numClasses() != model.numClasses()) {
            throw new InvalidParameterException("num_classes", model.numClasses(), "must equal the data's " + data.numClasses() + " classes");
        }
        return run(model, (x0, labels, noise, lr, seed) -> {
            double[] t = new double[x0.batchSize()];
            for (int i = 0; i < t.length; i++) {
                t[i] = schedule instanceof DiscreteSchedule d ? (clean ? 0 : noise.nextInt(d.trainSteps()))
                        : Objective.CONTINUOUS_T_MIN + (1 - Objective.CONTINUOUS_T_MIN) * (clean ? 0 : noise.nextUniform());
            }
            Tensor xt = schedule.addNoise(x0, backend.randn(noise, x0.shape()), t);
            return model.trainStep(xt, t, labels.labels(), lr, seed);
        }, store, resume);
    }

    private void checkClasses(int modelClasses) {
        if (modelClasses > 0 && data.numClasses() != modelClasses) {
            throw new InvalidParameterException("num_classes", modelClasses, "a conditional model must have the data's " + data.numClasses() + " classes");
        }
    }

    /** Runs {@code step} until {@code settings.steps()}, resuming from the store's latest checkpoint if asked. */
    public Result run(Trainable model, StepFunction step, Optional<CheckpointStore> store, boolean resume) {
        List<Double> losses = new ArrayList<>();
        int start = 0;
        Optional<CheckpointStore.Checkpoint> last = store.flatMap(CheckpointStore::latest);
        if (resume && last.isPresent()) {
            CheckpointStore.Checkpoint c = last.get();
            if (c.step() > settings.steps()) {
                throw new InvalidParameterException("steps", settings.steps(), "the run in " + store.get().dir() + " is already at step "
                        + c.step() + ", past the requested steps; ask for more than " + c.step() + " steps to train longer");
            }
            Map<String, Object> training = c.training();
            checkSame("seed", settings.seed(), training.get("seed"));
            checkSame("batch_size", settings.batchSize(), training.get("batch_size"));
            model.importState(c.state());
            for (Object v : (List<?>) training.get("losses")) {
                losses.add(((Number) v).doubleValue());
            }
            start = c.step();
        } else if (!resume && last.isPresent()) {
            throw new InvalidParameterException("checkpoint", store.get().dir().toString(),
                    "already holds checkpoints; pass resume to continue or choose an empty directory");
        }
        boolean labelled = data.numClasses() > 0;
        int n = settings.batchSize();
        int d = data.sampleSize();
        MemoryBudget.require("batch_size", n, (double) n * d * BYTES_PER_BATCH_VALUE + (double) n * Integer.BYTES,
                "lower the batch size");
        int[] shape = batchShape(n);
        float[] batch = new float[n * d];
        int[] labels = new int[n];
        for (int k = start; k < settings.steps(); k++) {
            GaussianNoise noise = GaussianNoise.forStep(settings.seed(), k);
            for (int i = 0; i < n; i++) {
                int index = noise.nextInt(data.size());
                data.copySample(index, batch, i * d);
                labels[i] = labelled ? data.label(index) : 0;
            }
            long stepSeed = noise.nextLong();
            double lr = settings.learningRateAt(k);
            double loss;
            try (TensorScope scope = backend.openScope()) {
                Tensor x0 = backend.fromHost(batch, shape);
                loss = step.step(x0, labelled ? Condition.classes(labels) : Condition.none(), noise, lr, stepSeed);
            }
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException("the loss", k, last.map(c -> c.dir().toString()).orElse(null));
            }
            losses.add(loss);
            listener.onStep(k + 1, settings.steps(), loss, lr);
            boolean due = settings.checkpointEvery() > 0 && (k + 1) % settings.checkpointEvery() == 0;
            if (store.isPresent() && (due || k + 1 == settings.steps())) {
                last = Optional.of(save(store.get(), model, k + 1, losses, last));
                listener.onCheckpoint(k + 1, last.get().dir());
            }
        }
        return new Result(settings.steps(), losses.stream().mapToDouble(Double::doubleValue).toArray(), last);
    }

    /** Host bytes per value of a batch: the float32 batch, the backend's copy and the objective's noise and target. */
    private static final int BYTES_PER_BATCH_VALUE = 4 * Float.BYTES;

    private CheckpointStore.Checkpoint save(CheckpointStore store, Trainable model, int step, List<Double> losses,
                                           Optional<CheckpointStore.Checkpoint> previous) {
        Map<String, HostArray> state = model.exportState();
        for (Map.Entry<String, HostArray> e : state.entrySet()) {
            for (float v : e.getValue().data()) {
                if (!Float.isFinite(v)) {
                    throw new TrainingDivergedException("'" + e.getKey() + "'", step - 1, previous.map(c -> c.dir().toString()).orElse(null));
                }
            }
        }
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("step", step);
        training.put("seed", settings.seed());
        training.put("batch_size", settings.batchSize());
        training.put("learning_rate", settings.learningRate());
        training.put("warmup_steps", settings.warmupSteps());
        training.put("cosine_decay", settings.cosineDecay());
        training.put("steps", settings.steps());
        training.put("losses", losses);
        return store.save(step, state, training, settings.keepCheckpoints());
    }

    private int[] batchShape(int n) {
        int[] s = data.sampleShape();
        int[] shape = new int[s.length + 1];
        shape[0] = n;
        System.arraycopy(s, 0, shape, 1, s.length);
        return shape;
    }

    private static void checkSame(String name, long expected, Object saved) {
        if (!(saved instanceof Number v) || v.longValue() != expected) {
            throw new InvalidParameterException(name, expected, "must equal the checkpoint's " + saved + " to resume the same run");
        }
    }
}
