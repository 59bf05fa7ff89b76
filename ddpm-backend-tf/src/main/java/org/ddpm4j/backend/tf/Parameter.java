package org.ddpm4j.backend.tf;

import org.ddpm4j.api.tensor.Tensor;
import java.util.Arrays;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * One trainable array of a network, named and shaped as in {@code docs/NETWORKS.md} (PyTorch
 * layouts). Convolution kernels are stored by TensorFlow as {@code [kh, kw, in, out]} (HWIO); they
 * are converted from and to PyTorch's {@code [out, in, kh, kw]} here, at the boundary, and nowhere
 * else. Dense weights keep PyTorch's {@code [out, in]} (the product is taken with the transpose).
 *
 * @param name  the neutral parameter name, e.g. {@code down.0.1.conv1.weight}
 * @param shape the neutral (PyTorch) shape
 * @param kind  how it is laid out and initialised
 * @param fanIn inputs per output (bounds of the uniform initialisation)
 */
record Parameter(String name, int[] shape, Kind kind, int fanIn) {

    enum Kind {
        /** Dense weight or any bias: PyTorch's {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}. */
        UNIFORM,
        /** Convolution kernel {@code [out, in, k, k]}, stored HWIO; uniform like a dense weight. */
        KERNEL,
        /** Group-norm scale: ones. */
        ONES,
        /** Group-norm shift, and the layers that start at zero ({@code zero_module}): zeros. */
        ZEROS,
        /** A convolution kernel that starts at zero, stored HWIO like {@link #KERNEL}. */
        ZERO_KERNEL,
        /** Embedding table: {@code N(0, 1)}, as {@code torch.nn.Embedding}. */
        NORMAL
    }

    Parameter {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    int size() {
        return Math.toIntExact(Tensor.elementCount(shape));
    }

    /** The shape of the TensorFlow variable. */
    long[] tfShape() {
        int[] s = isKernel() ? new int[] {shape[2], shape[3], shape[1], shape[0]} : shape;
        return Arrays.stream(s).asLongStream().toArray();
    }

    /** A native tensor of the variable's shape holding {@code neutral} (PyTorch order) in TensorFlow order. */
    TFloat32 toTensor(float[] neutral) {
        float[] values = isKernel() ? permute(neutral, true) : neutral;
        return TFloat32.tensorOf(Shape.of(tfShape()), DataBuffers.of(values, true, false));
    }

    /** TensorFlow order to neutral (PyTorch) order. */
    float[] toNeutral(float[] tf) {
        return isKernel() ? permute(tf, false) : tf;
    }

    private boolean isKernel() {
        return kind == Kind.KERNEL || kind == Kind.ZERO_KERNEL;
    }

    /** {@code [o][i][y][x]} (OIHW) to {@code [y][x][i][o]} (HWIO), or back. */
    private float[] permute(float[] from, boolean toHwio) {
        int o = shape[0];
        int in = shape[1];
        int kh = shape[2];
        int kw = shape[3];
        float[] to = new float[from.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < in; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        int oihw = ((a * in + b) * kh + y) * kw + x;
                        int hwio = ((y * kw + x) * in + b) * o + a;
                        if (toHwio) {
                            to[hwio] = from[oihw];
                        } else {
                            to[oihw] = from[hwio];
                        }
                    }
                }
            }
        }
        return to;
    }

    /** Fresh values (neutral order) drawn from {@code random}: PyTorch's default, or zeros for the layers that start at zero. */
    float[] initialise(GaussianNoise random) {
        float[] v = new float[size()];
        double bound = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (kind) {
                case UNIFORM, KERNEL -> (float) (bound * (2 * random.nextUniform() - 1));
                case ONES -> 1f;
                case ZEROS, ZERO_KERNEL -> 0f;
                case NORMAL -> (float) random.next();
            };
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameter p && name.equals(p.name) && Arrays.equals(shape, p.shape) && kind == p.kind && fanIn == p.fanIn;
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
