package org.ddpm4j.backend.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.backend.djl.nn.NetworkFactory;

/**
 * Tensors and networks on DJL's PyTorch engine (libtorch), on the CPU or one GPU.
 *
 * <p>Memory: every DJL array belongs to an {@link NDManager} and is freed when the manager closes.
 * The backend owns a root manager; each {@link #openScope() scope} is a sub-manager of the enclosing
 * one, and every tensor operation puts its result into the innermost open scope of the calling
 * thread (DJL itself would put it into the manager of the first operand, which for a carried
 * sampler state is an outer one, and memory would grow with every step). {@link TensorScope#keep}
 * moves an array to the enclosing scope.
 */
public final class DjlBackend implements NetworkBackend {
    public static final String NAME = "djl";

    private final Device device;
    private final NDManager root;
    private final ThreadLocal<Deque<NDManager>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

    /** A backend on the CPU. */
    public DjlBackend() {
        this("cpu");
    }

    /** A backend on {@code device}: {@code cpu}, {@code gpu}, {@code gpu:N}, or null for the default. */
    public DjlBackend(String device) {
        this(DjlEngine.device("device", device));
    }

    DjlBackend(Device device) {
        this.device = device;
        this.root = DjlEngine.engine().newBaseManager(device);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return DjlEngine.name(device);
    }

    /** The manager that receives new arrays on the calling thread: the innermost open scope, or the root. */
    NDManager manager() {
        NDManager top = scopes.get().peek();
        return top != null ? top : root;
    }

    /** Number of live arrays of this backend, in every scope and model (for leak checks). */
    public int liveArrays() {
        return root.getManagedArrays().size();
    }

    /** Wraps an array, moving it into the current scope. */
    DjlTensor wrap(NDArray array) {
        NDManager target = manager();
        if (array.getManager() != target) {
            array.attach(target);
        }
        return new DjlTensor(this, array);
    }

    /** The array behind a tensor of this backend. */
    NDArray array(Tensor tensor) {
        if (!(tensor instanceof DjlTensor d) || d.backend() != this) {
            throw new IllegalArgumentException("tensor of backend '" + tensor.backend().name() + "' ("
                    + tensor.backend().device() + ") used with backend 'djl' (" + device() + ")");
        }
        return d.array();
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        Tensor.requireElementCount(shape, data.length);
        return new DjlTensor(this, manager().create(data, new Shape(toLong(shape))));
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return fromHost(f, shape);
    }

    @Override
    public Tensor zeros(int... shape) {
        Tensor.elementCount(shape);
        return new DjlTensor(this, manager().zeros(new Shape(toLong(shape))));
    }

    @Override
    public Tensor concat(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int[] first = parts.get(0).shape();
        NDList arrays = new NDList(parts.size());
        for (Tensor p : parts) {
            int[] s = p.shape();
            if (s.length != first.length || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first, 1, first.length))) {
                throw new IllegalArgumentException("cannot concatenate shapes " + Arrays.toString(first) + " and " + Arrays.toString(s));
            }
            arrays.add(array(p));
        }
        return wrap(NDArrays.concat(arrays));
    }

    @Override
    public TensorScope openScope() {
        Scope scope = new Scope(manager());
        scopes.get().push(scope.manager);
        return scope;
    }

    @Override
    public TrainableDenoiser newDenoiser(NetworkSpec spec, OptimizerSettings optimizer) {
        return new NetworkDenoiser(this, spec, NetworkFactory.denoiser(spec), optimizer, null);
    }

    /** A denoiser holding {@code weights}, copied tensor by tensor into native memory (no random initialisation). */
    @Override
    public TrainableDenoiser newDenoiser(NetworkSpec spec, OptimizerSettings optimizer, NamedWeights weights) {
        return new NetworkDenoiser(this, spec, NetworkFactory.denoiser(spec), optimizer, weights);
    }

    @Override
    public TrainableClassifier newClassifier(NetworkSpec spec, OptimizerSettings optimizer) {
        return new NetworkClassifier(this, spec, NetworkFactory.classifier(spec), optimizer);
    }

    /** A manager for arrays that live as long as a model (its weights). */
    NDManager newModelManager() {
        return root.newSubManager();
    }

    /** Releases every array of this backend. */
    @Override
    public void close() {
        root.close();
    }

    static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            s[i] = shape[i];
        }
        return s;
    }

    /** A sub-manager of the enclosing scope. */
    private final class Scope implements TensorScope {
        private final NDManager parent;
        private final NDManager manager;
        private boolean closed;

        Scope(NDManager parent) {
            this.parent = parent;
            this.manager = parent.newSubManager();
        }

        @Override
        public Tensor keep(Tensor tensor) {
            NDArray a = array(tensor);
            if (a.getManager() == manager) {
                a.attach(parent);
            }
            return tensor;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            Deque<NDManager> stack = scopes.get();
            if (stack.peek() != manager) {
                throw new IllegalStateException("memory scopes must be closed in the reverse order of opening");
            }
            closed = true;
            stack.pop();
            manager.close();
        }
    }
}
