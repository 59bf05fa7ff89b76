package org.ddpm4j.backend.tf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.ddpm4j.toolkit.tensor.ScopeStack;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NamedWeights;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The TensorFlow backend, graph-first: every computation, from one tensor addition to a U-Net
 * training step, is a graph run in a {@code Session} on concrete native tensors that are freed as
 * soon as their scope closes (eager execution would keep results alive until garbage collection,
 * and has no gradients).
 *
 * <p>Tensors live in host memory between runs; on a GPU each run copies its inputs to the device and
 * its outputs back. Thread settings and determinism: see {@link TfSettings}.
 */
public final class TfBackend implements NetworkBackend {
    public static final String NAME = "tf";

    private final TfSettings settings;
    private final Kernels kernels;
    private final ScopeStack<TfTensor> scopes = new ScopeStack<>(this::tensor);
    private final AtomicLong liveTensors = new AtomicLong();
    private final List<AutoCloseable> resources = new ArrayList<>();

    public TfBackend(TfSettings settings) {
        TfRuntime.initialize();
        if (settings.gpu()) {
            TfRuntime.requireGpu(settings);
        }
        this.settings = settings;
        this.kernels = new Kernels(settings);
    }

    /** CPU with one thread per session: deterministic. */
    public TfBackend() {
        this(TfSettings.defaults());
    }

    public TfSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return settings.deviceName();
    }

    /** Native tensors held by this backend's tensors and not yet closed: constant in a scoped loop. */
    public long liveTensors() {
        return liveTensors.get();
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        Tensor.requireElementCount(shape, data.length);
        return wrap(TFloat32.tensorOf(Shape.of(Run.longs(shape)), DataBuffers.of(data, true, false)), shape.clone());
    }

    @Override
    public Tensor fromHost(double[] data, int... shape) {
        return fromHost(Run.floats(data), shape);
    }

    @Override
    public Tensor zeros(int... shape) {
        return fromHost(new float[Math.toIntExact(Tensor.elementCount(shape))], shape);
    }

    @Override
    public Tensor concat(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int[] first = parts.get(0).shape();
        int batch = 0;
        List<TFloat32> values = new ArrayList<>();
        for (Tensor p : parts) {
            int[] s = p.shape();
            if (s.length != first.length || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first, 1, first.length))) {
                throw new IllegalArgumentException("cannot concatenate shapes " + Arrays.toString(first) + " and " + Arrays.toString(s));
            }
            batch += s[0];
            values.add(tensor(p).value());
        }
        int[] shape = first.clone();
        shape[0] = batch;
        return wrap(kernels.concat(values), shape);
    }

    /** A {@code mlp} or {@code unet} denoiser of {@code docs/NETWORKS.md}; closed with the backend at the latest. */
    @Override
    public TrainableDenoiser newDenoiser(NetworkSpec spec, OptimizerSettings optimizer) {
        return own(new TfDenoiser(this, spec, optimizer, null));
    }

    /** A denoiser holding {@code weights}, fed tensor by tensor to its variables (no random initialisation). */
    @Override
    public TrainableDenoiser newDenoiser(NetworkSpec spec, OptimizerSettings optimizer, NamedWeights weights) {
        return own(new TfDenoiser(this, spec, optimizer, weights));
    }

    /** A noisy-input {@code classifier} of {@code docs/NETWORKS.md}; closed with the backend at the latest. */
    @Override
    public TrainableClassifier newClassifier(NetworkSpec spec, OptimizerSettings optimizer) {
        return own(new TfClassifier(this, spec, optimizer));
    }

    @Override
    public TensorScope openScope() {
        return scopes.open();
    }

    /** Closes the backend's networks, loaded models and kernels. Tensors still open stay readable until closed. */
    @Override
    public void close() {
        List<AutoCloseable> open;
        synchronized (resources) {
            open = new ArrayList<>(resources);
            resources.clear();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close " + open.get(i), e);
            }
        }
        kernels.close();
    }

    Kernels kernels() {
        return kernels;
    }

    /** Closes {@code resource} with this backend (networks, SavedModel sessions). */
    <T extends AutoCloseable> T own(T resource) {
        synchronized (resources) {
            resources.add(resource);
        }
        return resource;
    }

    /** {@code resource} was closed by its user: the backend no longer holds it. */
    void disown(AutoCloseable resource) {
        synchronized (resources) {
            resources.remove(resource);
        }
    }

    /** A tensor owning {@code value}, registered in the current scope. */
    TfTensor wrap(TFloat32 value, int[] shape) {
        TfTensor t = new TfTensor(this, value, shape);
        liveTensors.incrementAndGet();
        return scopes.register(t);
    }

    void released() {
        liveTensors.decrementAndGet();
    }

    /** {@code t} as a tensor of this backend. */
    TfTensor tensor(Tensor t) {
        if (!(t instanceof TfTensor tf) || tf.backend() != this) {
            throw new IllegalArgumentException("tensor of backend '" + t.backend().name() + "' used with backend '" + NAME
                    + "' (" + settings.deviceName() + "); copy it with fromHost(t.toFloatArray(), t.shape())");
        }
        return tf;
    }
}
