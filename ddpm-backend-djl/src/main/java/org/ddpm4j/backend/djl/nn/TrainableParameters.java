package org.ddpm4j.backend.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.OptimizerSettings;

/**
 * The weights of a network with their EMA and AdamW state, each one flat vector in the order of a
 * {@link ParameterLayout}, so that an optimizer step is a few whole-vector operations.
 *
 * <p>The network sees each weight as its own tensor: one leaf of autograd per parameter, sharing
 * storage with its slice of the flat vector (as PyTorch's FSDP lays out a flat parameter). Were the
 * leaves slices made inside the gradient recording instead, the backward of every slice would
 * zero-fill and add a gradient the size of the whole vector, 167 times per U-Net step. The optimizer
 * concatenates the per-parameter gradients once per step and updates the flat vectors in place,
 * which the leaves follow.
 *
 * <p>One step, with gradient {@code g} of the flat weights {@code theta} (Loshchilov &amp; Hutter's
 * AdamW as {@code torch.optim.AdamW} computes it, after {@code clip_grad_norm_}):
 * <pre>
 *   g     <- g * min(1, c / (||g||_2 + 1e-6))            (c = gradient_clip_norm; 0: no clipping)
 *   m     <- beta1 m + (1 - beta1) g
 *   v     <- beta2 v + (1 - beta2) g^2
 *   theta <- theta (1 - lr lambda)                        (decoupled weight decay)
 *   theta <- theta - lr/(1 - beta1^k) m / (sqrt(v)/sqrt(1 - beta2^k) + eps)
 *   ema   <- d_k ema + (1 - d_k) theta,  d_k = min(decay, (1 + k) / (10 + k))
 * </pre>
 * State names for export are {@code weights/<p>}, {@code ema/<p>}, {@code adam_m/<p>},
 * {@code adam_v/<p>} and the scalar {@code adam_step}.
 */
public final class TrainableParameters implements AutoCloseable {
    private static final String WEIGHTS = "weights/";
    private static final String EMA = "ema/";
    private static final String ADAM_M = "adam_m/";
    private static final String ADAM_V = "adam_v/";
    private static final String ADAM_STEP = "adam_step";

    private final ParameterLayout layout;
    private final NDManager manager;
    private final OptimizerSettings settings;
    private final NDArray weights;
    private final NDArray ema;
    private final NDArray m;
    private final NDArray v;
    private final Weights weightViews;
    private final Weights trainingLeaves;
    private final Weights emaViews;
    private long step;

    /** Fresh parameters initialised from {@code settings.seed()}, owned by {@code manager} (closed with this). */
    public TrainableParameters(ParameterLayout layout, NDManager manager, OptimizerSettings settings) {
        this(layout, manager, settings, manager.create(layout.initialValues(settings.seed())));
    }

    /**
     * Parameters holding {@code source}'s weights (the EMA equal, the optimizer fresh), owned by
     * {@code manager}: each tensor is copied into its slice of the native flat vector and dropped,
     * so no model-sized array passes through the Java heap. Every parameter of the layout is
     * required with its exact shape, and nothing else.
     */
    public static TrainableParameters withWeights(ParameterLayout layout, NDManager manager, OptimizerSettings settings, NamedWeights source) {
        source.requireNames(layout.entries().stream().map(ParameterLayout.Entry::name).toList());
        NDArray flat = manager.zeros(new Shape(layout.size()));
        for (ParameterLayout.Entry e : layout.entries()) {
            HostArray a = source.read(e.name());
            if (!Arrays.equals(a.shape(), e.shape())) {
                throw refused("'" + e.name() + "' has shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(e.shape()));
            }
            try (NDManager scope = manager.newSubManager()) {
                flat.set(new NDIndex().addSliceDim(e.offset(), e.offset() + e.size()), scope.create(a.data()));
            }
        }
        return new TrainableParameters(layout, manager, settings, flat);
    }

    private TrainableParameters(ParameterLayout layout, NDManager manager, OptimizerSettings settings, NDArray initial) {
        this.layout = layout;
        this.manager = manager;
        this.settings = settings;
        this.weights = initial;
        this.ema = initial.duplicate();
        this.m = manager.zeros(weights.getShape());
        this.v = manager.zeros(weights.getShape());
        // Plain views serve inference and input gradients without tracking the weights; the leaves,
        // views too, carry the weights' gradients.
        this.weightViews = Weights.of(layout, weights, manager);
        this.trainingLeaves = Weights.leaves(layout, weights, manager);
        this.emaViews = Weights.of(layout, ema, manager);
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The current weights (views that follow every update; no gradients flow through them). */
    public Weights weights() {
        return weightViews;
    }

    /** The EMA weights (views that follow every update). */
    public Weights ema() {
        return emaViews;
    }

    /** The weights as leaves of autograd, one per parameter: the training step's forward pass uses these. */
    public Weights trainingWeights() {
        return trainingLeaves;
    }

    /**
     * One AdamW step with learning rate {@code lr} from the gradient left by the last backward pass,
     * then the EMA update; clears the gradient. Call with gradient recording off. Returns false, and
     * changes nothing, when the gradient is not finite.
     */
    public boolean update(double lr) {
        try (NDManager scope = manager.newSubManager()) {
            scope.tempAttachAll(weights, ema, m, v);
            NDArray g = trainingLeaves.flatGradient(layout, scope);
            float norm = g.norm().getFloat();
            if (!Float.isFinite(norm)) {
                clearGradient();
                return false;
            }
            double clip = settings.gradientClipNorm();
            if (clip > 0 && clip / (norm + 1e-6) < 1) {
                g = g.mul((float) (clip / (norm + 1e-6)));
            }
            step++;
            float beta1 = (float) settings.beta1();
            float beta2 = (float) settings.beta2();
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.square().muli(1 - beta2));
            if (settings.weightDecay() > 0) {
                weights.muli((float) (1 - lr * settings.weightDecay()));
            }
            double correction1 = 1 - Math.pow(settings.beta1(), step);
            double correction2 = 1 - Math.pow(settings.beta2(), step);
            NDArray denominator = v.sqrt().divi((float) Math.sqrt(correction2)).addi((float) settings.epsilon());
            weights.subi(m.div(denominator).muli((float) (lr / correction1)));
            float decay = (float) settings.emaDecayAt(step);
            ema.muli(decay).addi(weights.mul(1 - decay));
        }
        clearGradient();
        return true;
    }

    /** Forgets the gradient of the last backward pass (libtorch adds up gradients otherwise). */
    public void clearGradient() {
        trainingLeaves.clearGradients();
    }

    /** The whole state by name (see the class comment), in host memory. */
    public Map<String, HostArray> exportState() {
        Map<String, HostArray> state = new LinkedHashMap<>();
        split(WEIGHTS, weights.toFloatArray(), state);
        split(EMA, ema.toFloatArray(), state);
        split(ADAM_M, m.toFloatArray(), state);
        split(ADAM_V, v.toFloatArray(), state);
        state.put(ADAM_STEP, HostArray.scalar(step));
        return state;
    }

    private void split(String prefix, float[] flat, Map<String, HostArray> out) {
        for (ParameterLayout.Entry e : layout.entries()) {
            out.put(prefix + e.name(), new HostArray(e.shape(), Arrays.copyOfRange(flat, e.offset(), e.offset() + e.size())));
        }
    }

    /**
     * Restores a state. Every {@code weights/*} array of the layout is required with its exact shape;
     * {@code ema/*}, {@code adam_m/*} and {@code adam_v/*} are each all present or all absent (absent:
     * the EMA starts at the weights, the optimizer afresh). Nothing changes when the state is refused.
     */
    public void importState(Map<String, HostArray> state) {
        for (String key : state.keySet()) {
            String name = key.substring(key.indexOf('/') + 1);
            boolean known = key.equals(ADAM_STEP) || key.indexOf('/') > 0 && layout.entry(name) != null
                    && (key.startsWith(WEIGHTS) || key.startsWith(EMA) || key.startsWith(ADAM_M) || key.startsWith(ADAM_V));
            if (!known) {
                throw refused("unexpected array '" + key + "'");
            }
        }
        float[] w = gather(WEIGHTS, state, true);
        float[] e = gather(EMA, state, false);
        float[] first = gather(ADAM_M, state, false);
        float[] second = gather(ADAM_V, state, false);
        if ((first == null) != (second == null)) {
            throw refused("has " + (first == null ? ADAM_V : ADAM_M) + "* but not " + (first == null ? ADAM_M : ADAM_V) + "*");
        }
        HostArray savedStep = state.get(ADAM_STEP);
        if (savedStep != null && savedStep.data().length != 1) {
            throw refused("'" + ADAM_STEP + "' has shape " + Arrays.toString(savedStep.shape()) + ", expected a scalar");
        }
        boolean optimizer = first != null && savedStep != null;
        try (NDManager scope = manager.newSubManager()) {
            NDArray loaded = scope.create(w);
            overwrite(weights, loaded);
            overwrite(ema, e != null ? scope.create(e) : loaded);
            // fresh moments are zeroed natively: no array of the model's size on the Java heap
            overwrite(m, optimizer ? scope.create(first) : scope.zeros(m.getShape()));
            overwrite(v, optimizer ? scope.create(second) : scope.zeros(v.getShape()));
        }
        step = optimizer ? (long) savedStep.data()[0] : 0;
    }

    /**
     * Copies {@code values} into {@code flat} in place: the views of the weights keep pointing at it
     * ({@code NDArray.set(float[])} would give the array new storage and leave the views behind).
     */
    private static void overwrite(NDArray flat, NDArray values) {
        flat.set(new NDIndex().addSliceDim(0, values.getShape().get(0)), values);
    }

    /** The flat vector of {@code prefix*} arrays; null when none is present and they are optional. */
    private float[] gather(String prefix, Map<String, HostArray> state, boolean required) {
        boolean any = layout.entries().stream().anyMatch(e -> state.containsKey(prefix + e.name()));
        if (!any && !required) {
            return null;
        }
        float[] flat = new float[layout.size()];
        for (ParameterLayout.Entry e : layout.entries()) {
            HostArray a = state.get(prefix + e.name());
            if (a == null) {
                throw refused("missing array '" + prefix + e.name() + "' of shape " + Arrays.toString(e.shape()));
            }
            if (!Arrays.equals(a.shape(), e.shape())) {
                throw refused("array '" + prefix + e.name() + "' has shape " + Arrays.toString(a.shape())
                        + ", the network expects " + Arrays.toString(e.shape()));
            }
            System.arraycopy(a.data(), 0, flat, e.offset(), e.size());
        }
        return flat;
    }

    private static InvalidParameterException refused(String why) {
        return new InvalidParameterException("state", why, "does not match the network's parameters (docs/NETWORKS.md names and shapes)");
    }

    /** Number of trainable scalars. */
    public long size() {
        return layout.size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
