package org.ddpm4j.backend.tf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A network in its own graph and session: four variables per parameter (weights, EMA weights,
 * Adam's moments), the forward pass with the current weights, with the EMA weights and with
 * dropout for training, and the training update.
 *
 * <p>One training step, for a loss {@code L} built on the training forward pass, with gradient
 * {@code g = dL/dtheta} and learning rate {@code lr} (PyTorch's AdamW with
 * {@code clip_grad_norm_}):
 * <pre>
 *   g      &lt;- g * min(1, clip / (||g||_2 + 1e-6))        (global norm over all parameters; clip = 0: off)
 *   theta  &lt;- theta (1 - lr wd)
 *   m      &lt;- b1 m + (1 - b1) g          v &lt;- b2 v + (1 - b2) g^2
 *   theta  &lt;- theta - (lr / (1 - b1^k)) m / (sqrt(v) / sqrt(1 - b2^k) + eps)      (k: the step count)
 *   ema    &lt;- d_k ema + (1 - d_k) theta,  d_k = min(decay, (1 + k) / (10 + k))
 * </pre>
 * Variable names are flat ({@code w.<param>}, no '/', which TensorFlow Java's optimizers cannot
 * handle); the optimizer is written here because the framework's Adam has no decoupled weight
 * decay and no learning rate fed per step.
 */
final class TfNetwork implements AutoCloseable {
    private final NetworkSpec spec;
    private final OptimizerSettings optimizer;
    private final Graph graph = new Graph();
    private final Ops tf;
    private final Session session;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Placeholder<TFloat32> x;
    private final Placeholder<TFloat64> t;
    private final Placeholder<TInt32> labels;
    private final Placeholder<TInt64> seed;
    private final Architecture architecture;
    private final Loss objective;
    private final Operand<TFloat32> output;
    private Operand<TFloat32> emaOutput;
    private final Operand<TFloat32> features;
    private Placeholder<TFloat32> decay;
    private Placeholder<TFloat32> emaDecay;
    private Placeholder<TFloat32> stepSize;
    private Placeholder<TFloat32> correction;
    private Operand<TFloat32> loss;
    private Op update;
    private long step;

    /** One variable: its handle, a read of it and an assignment from a placeholder. */
    private record Variable(Operand<?> handle, Operand<TFloat32> read, Placeholder<TFloat32> value, Op assign) {
    }

    /** The four variables of one parameter. */
    private record Slot(Parameter parameter, Variable weights, Variable ema, Variable m, Variable v) {
        List<Variable> all() {
            return List.of(weights, ema, m, v);
        }
    }

    /** The training loss, a scalar built on the forward pass with dropout. */
    @FunctionalInterface
    interface Loss {
        Operand<TFloat32> of(Ops tf, Operand<TFloat32> trainingOutput);
    }

    /**
     * Builds the forward pass with the current weights, which creates the variables. The EMA pass
     * and the training step are added to the graph when first needed: a model loaded for sampling
     * never pays for building and optimising them.
     */
    TfNetwork(TfSettings settings, NetworkSpec spec, OptimizerSettings optimizer, Architecture architecture, Loss objective) {
        this.spec = spec;
        this.optimizer = optimizer;
        this.architecture = architecture;
        this.objective = objective;
        this.tf = Ops.create(graph).withDevice(settings.deviceSpec());
        int[] sample = spec.sampleShape();
        long[] inputShape = new long[sample.length + 1];
        inputShape[0] = -1;
        for (int i = 0; i < sample.length; i++) {
            inputShape[i + 1] = sample[i];
        }
        this.x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(inputShape)));
        this.t = tf.withName("t").placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
        this.labels = tf.withName("y").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        this.seed = tf.withName("dropout_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
        Layers inference = new Layers(tf, this::weights, null);
        this.output = architecture.forward(inference, x, t, labels);
        this.features = inference.headInput();
        try {
            this.session = new Session(graph, settings.sessionConfig());
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    NetworkSpec spec() {
        return spec;
    }

    Ops tf() {
        return tf;
    }

    /** The input {@code x} (neutral layout). */
    Operand<TFloat32> input() {
        return x;
    }

    /** A classifier's penultimate features with the current weights (null for a denoiser). */
    Operand<TFloat32> features() {
        return features;
    }

    /** The forward pass with the current weights, without dropout. */
    Operand<TFloat32> output() {
        return output;
    }

    List<Parameter> parameters() {
        return slots.values().stream().map(Slot::parameter).toList();
    }

    long parameterCount() {
        return slots.values().stream().mapToLong(s -> s.parameter().size()).sum();
    }

    /** The weights variable of {@code p}, created on first use. */
    private Operand<TFloat32> weights(Parameter p) {
        Slot slot = slots.get(p.name());
        if (slot == null) {
            slot = new Slot(p, variable("w", p), variable("ema", p), variable("m", p), variable("v", p));
            slots.put(p.name(), slot);
        } else if (!slot.parameter().equals(p)) {
            throw new IllegalStateException("parameter " + p.name() + " declared as " + slot.parameter() + " and as " + p);
        }
        return slot.weights().read();
    }

    private Slot existing(Parameter p) {
        Slot slot = slots.get(p.name());
        if (slot == null) {
            throw new IllegalStateException("parameter " + p + " missing from the first forward pass");
        }
        return slot;
    }

    private Variable variable(String role, Parameter p) {
        String name = role + "." + p.name();
        Shape shape = Shape.of(p.tfShape());
        VarHandleOp handle = tf.withName(name).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(name));
        Placeholder<TFloat32> value = tf.withName(name + ".value").placeholder(TFloat32.class, Placeholder.shape(shape));
        return new Variable(handle, tf.readVariableOp(handle, TFloat32.class), value, tf.assignVariableOp(handle, value));
    }

    private synchronized Operand<TFloat32> emaOutput() {
        if (emaOutput == null) {
            emaOutput = architecture.forward(new Layers(tf, p -> existing(p).ema().read(), null), x, t, labels);
        }
        return emaOutput;
    }

    /** Builds the forward pass with dropout, the loss and the optimizer step, once. */
    private synchronized void buildTraining() {
        if (update != null) {
            return;
        }
        Operand<TFloat32> trainingOutput = architecture.forward(new Layers(tf, p -> existing(p).weights().read(), seed, true), x, t, labels);
        loss = objective.of(tf, trainingOutput);
        List<Slot> all = new ArrayList<>(slots.values());
        List<Operand<?>> reads = all.stream().<Operand<?>>map(s -> s.weights().read()).toList();
        List<Operand<TFloat32>> gradients = new ArrayList<>();
        for (Operand<?> g : tf.gradients(loss, reads)) {
            @SuppressWarnings("unchecked")
            Operand<TFloat32> gradient = (Operand<TFloat32>) g;
            gradients.add(gradient);
        }
        Operand<TFloat32> clip = clipFactor(gradients);
        decay = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        emaDecay = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        stepSize = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        correction = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        List<Op> assignments = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Slot s = all.get(i);
            Operand<TFloat32> g = tf.math.mul(gradients.get(i), clip);
            Operand<TFloat32> m = tf.math.add(tf.math.mul(s.m().read(), scalar(optimizer.beta1())), tf.math.mul(g, scalar(1 - optimizer.beta1())));
            Operand<TFloat32> v = tf.math.add(tf.math.mul(s.v().read(), scalar(optimizer.beta2())),
                    tf.math.mul(tf.math.square(g), scalar(1 - optimizer.beta2())));
            Operand<TFloat32> denominator = tf.math.add(tf.math.div(tf.math.sqrt(v), correction), scalar(optimizer.epsilon()));
            Operand<TFloat32> theta = tf.math.sub(tf.math.mul(s.weights().read(), decay), tf.math.mul(stepSize, tf.math.div(m, denominator)));
            Operand<TFloat32> ema = tf.math.add(tf.math.mul(s.ema().read(), emaDecay), tf.math.mul(theta, tf.math.sub(scalar(1), emaDecay)));
            assignments.add(tf.assignVariableOp(s.m().handle(), m));
            assignments.add(tf.assignVariableOp(s.v().handle(), v));
            assignments.add(tf.assignVariableOp(s.weights().handle(), theta));
            assignments.add(tf.assignVariableOp(s.ema().handle(), ema));
        }
        update = tf.withControlDependencies(assignments).noOp();
    }

    /** {@code min(1, clip / (||g|| + 1e-6))}, PyTorch's {@code clip_grad_norm_}; 1 without clipping. */
    private Operand<TFloat32> clipFactor(List<Operand<TFloat32>> gradients) {
        if (optimizer.gradientClipNorm() == 0) {
            return scalar(1);
        }
        List<Operand<TFloat32>> squares = new ArrayList<>();
        for (Operand<TFloat32> g : gradients) {
            squares.add(tf.reduceSum(tf.math.square(tf.reshape(g, tf.constant(new int[] {-1}))), tf.constant(0)));
        }
        Operand<TFloat32> norm = tf.math.sqrt(tf.math.addN(squares));
        return tf.math.minimum(scalar(1), tf.math.div(scalar(optimizer.gradientClipNorm()), tf.math.add(norm, scalar(1e-6))));
    }

    private Operand<TFloat32> scalar(double value) {
        return tf.constant((float) value);
    }

    /** Feeds {@code x}, {@code t} and the labels of {@code condition} to a run. */
    Run inputs(Run run, Tensor xt, double[] times, Condition condition) {
        int n = checkInput(xt, times);
        return run.feed(x, ((TfTensor) xt).value()).feed(t, times).feed(labels, labels(condition, n));
    }

    /** The prediction with the current ({@code ema = false}) or the EMA weights. */
    TFloat32 predict(Tensor xt, double[] times, Condition condition, boolean ema) {
        try (Run run = inputs(new Run(session), xt, times, condition).fetch(ema ? emaOutput() : output).run()) {
            return run.take(0);
        }
    }

    /** Runs {@code fetch} of the inference graph (no dropout, current weights). */
    TFloat32 evaluate(Operand<TFloat32> fetch, Tensor xt, double[] times, Function<Run, Run> feeds) {
        try (Run run = feeds.apply(inputs(new Run(session), xt, times, Condition.none())).fetch(fetch).run()) {
            return run.take(0);
        }
    }

    /** One optimizer step; {@code feeds} adds the loss's own inputs. Returns the loss before the update. */
    double trainStep(Tensor xt, double[] times, Condition condition, double learningRate, long stepSeed, Function<Run, Run> feeds) {
        return trainStep(xt, times, condition, learningRate, stepSeed, feeds, run -> { });
    }

    /**
     * One optimizer step; {@code feeds} adds the loss's own inputs and may fetch more (from index 1 on:
     * the loss is fetch 0), which {@code fetched} reads after the run. Returns the loss before the update.
     */
    double trainStep(Tensor xt, double[] times, Condition condition, double learningRate, long stepSeed, Function<Run, Run> feeds,
                     java.util.function.Consumer<Run> fetched) {
        buildTraining();
        long k = step + 1;
        double bias1 = 1 - Math.pow(optimizer.beta1(), k);
        double bias2 = 1 - Math.pow(optimizer.beta2(), k);
        try (Run run = feeds.apply(inputs(new Run(session), xt, times, condition).fetch(loss))
                .feed(seed, new long[] {stepSeed, 0})
                .feed(decay, (float) (1 - learningRate * optimizer.weightDecay()))
                .feed(emaDecay, (float) optimizer.emaDecayAt(k))
                .feed(stepSize, (float) (learningRate / bias1))
                .feed(correction, (float) Math.sqrt(bias2))
                .target(update).run()) {
            step = k;
            fetched.accept(run);
            return run.scalar(0);
        }
    }

    private int checkInput(Tensor xt, double[] times) {
        return checkInput(xt.shape(), times, spec.sampleShape(), "this " + spec.architecture() + " network");
    }

    /** Fails unless {@code shape} is {@code [n, ...sample]} with n times; returns n. */
    static int checkInput(int[] shape, double[] times, int[] sample, String model) {
        if (shape.length != sample.length + 1 || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sample)) {
            throw new InvalidParameterException("x", Tensor.describe(shape),
                    "must be [batch, " + Arrays.toString(sample).replaceAll("[\\[\\]]", "") + "] for " + model);
        }
        if (times.length != shape[0]) {
            throw new InvalidParameterException("t", times.length + " times", "needs one time per sample (" + shape[0] + ")");
        }
        return shape[0];
    }

    private int[] labels(Condition condition, int n) {
        int[] y = labels(condition, n, spec.architecture().equals("classifier") ? 0 : spec.numClasses());
        if (spec.architecture().equals(org.ddpm4j.api.training.DiffusersUNetConfig.ARCHITECTURE) && spec.numClasses() > 0
                && Arrays.stream(y).anyMatch(v -> v < 0)) {
            throw new InvalidParameterException("condition", condition.toString(), "labels must lie in [0, " + (spec.numClasses() - 1)
                    + "]: a diffusers UNet2DModel has no null class (no classifier-free guidance)");
        }
        return y;
    }

    /** The labels of a batch of {@code n} for a model of {@code classes} classes; {@code -1} (null class) for none. */
    static int[] labels(Condition condition, int n, int classes) {
        condition.checkBatch(n);
        int[] y = condition.isNone() ? new int[n] : condition.labels();
        if (condition.isNone()) {
            Arrays.fill(y, Condition.NULL_CLASS);
        }
        for (int label : y) {
            if (label >= classes) {
                throw new InvalidParameterException("condition", condition.toString(), classes == 0
                        ? "the model is unconditional (num_classes = 0): use Condition.none()"
                        : "labels must lie in [0, " + classes + ") or be NULL_CLASS (-1)");
            }
        }
        return y;
    }

    /** Weights, EMA weights, Adam moments and step in the neutral format. */
    Map<String, HostArray> exportState() {
        Map<String, HostArray> state = new LinkedHashMap<>();
        List<Slot> all = new ArrayList<>(slots.values());
        try (Run run = new Run(session)) {
            for (Slot s : all) {
                for (Variable v : s.all()) {
                    run.fetch(v.read());
                }
            }
            run.run();
            String[] prefixes = {"weights/", "ema/", "adam_m/", "adam_v/"};
            for (int p = 0; p < prefixes.length; p++) {
                for (int i = 0; i < all.size(); i++) {
                    Parameter parameter = all.get(i).parameter();
                    state.put(prefixes[p] + parameter.name(), new HostArray(parameter.shape(), parameter.toNeutral(run.floats(4 * i + p))));
                }
            }
        }
        state.put("adam_step", HostArray.scalar(step));
        return state;
    }

    /**
     * Restores a state: {@code weights/*} required, the EMA starting at the weights and a fresh
     * optimizer where {@code ema/*} or the Adam entries are missing. Everything is checked before
     * anything changes.
     */
    void importState(Map<String, HostArray> state) {
        StateCheck.check(state, parameters(), spec.architecture());
        try (Run run = new Run(session)) {
            for (Slot s : slots.values()) {
                Parameter p = s.parameter();
                HostArray w = state.get("weights/" + p.name());
                assign(run, s.weights(), p, w.data());
                assign(run, s.ema(), p, state.getOrDefault("ema/" + p.name(), w).data());
                boolean adam = state.containsKey("adam_step");
                assign(run, s.m(), p, adam ? state.get("adam_m/" + p.name()).data() : new float[p.size()]);
                assign(run, s.v(), p, adam ? state.get("adam_v/" + p.name()).data() : new float[p.size()]);
            }
            run.run();
        }
        step = state.containsKey("adam_step") ? (long) state.get("adam_step").data()[0] : 0;
    }

    private static void assign(Run run, Variable v, Parameter p, float[] neutral) {
        run.feedCreated(v.value(), p.toTensor(neutral)).target(v.assign());
    }

    /**
     * {@code source}'s weights, the EMA equal, the optimizer reset: one tensor at a time is read,
     * copied into a native tensor and dropped, so the model never sits on the Java heap all at once;
     * the EMA and the second moment reuse the weights' and the first moment's native tensors. One
     * session run assigns them all (a run per tensor would prune the graph once per tensor: several
     * times slower). Every parameter is required with its exact shape, and nothing else.
     */
    void initialise(NamedWeights source) {
        source.requireNames(slots.keySet());
        try (Run run = new Run(session)) {
            for (Slot s : slots.values()) {
                Parameter p = s.parameter();
                HostArray w = source.read(p.name());
                if (!Arrays.equals(w.shape(), p.shape())) {
                    throw new InvalidParameterException("weights/" + p.name(), Arrays.toString(w.shape()), "must have shape " + Arrays.toString(p.shape()));
                }
                TFloat32 weights = p.toTensor(w.data());
                run.feedCreated(s.weights().value(), weights).target(s.weights().assign());
                run.feed(s.ema().value(), weights).target(s.ema().assign());
                TFloat32 zeros = p.toTensor(new float[p.size()]);
                run.feedCreated(s.m().value(), zeros).target(s.m().assign());
                run.feed(s.v().value(), zeros).target(s.v().assign());
            }
            run.run();
        }
        step = 0;
    }

    /** Fresh weights drawn from {@code seed} (docs/NETWORKS.md, "Initialisation": as djl draws them), EMA equal, optimizer reset. */
    void initialise(long seed) {
        GaussianNoise random = new GaussianNoise(seed);
        Map<String, HostArray> state = new LinkedHashMap<>();
        for (Parameter p : parameters()) {
            state.put("weights/" + p.name(), new HostArray(p.shape(), p.initialise(random)));
        }
        importState(state);
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
