package org.ddpm4j.backend.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The closed-form backward of group norm (and of group norm followed by SiLU) for the training
 * graph. TensorFlow Java registers gradients per op type only, so the forward is built as usual,
 * cut off from auto-differentiation by {@code StopGradient}, and passed through an
 * {@code IdentityN} (an op type without a C++ gradient, otherwise unused here) whose other inputs
 * are what the backward needs: {@code x}, the pre-activation {@code u} (with SiLU), the scale and
 * shift parameters (which receive their gradients through it) and the forward's statistics. The
 * gradient registered for {@code IdentityN} recognises these ops by name and computes, per
 * sample {@code n} and channel {@code c} with {@code xhat = (x - mean) rstd}:
 * <pre>
 *   du     = dy (s + s (1 - s) u),  s = sigmoid(u)           (SiLU; du = dy without it)
 *   db     = sum_p du,  ds = sum_p du x                       (two reductions over the pixels)
 *   dbeta  = sum_n db,  dgamma = sum_n (ds - mean db) rstd
 *   dx     = A du + B x + C,  A = gamma rstd,
 *            B = -rstd^2 m2,  C = rstd^2 m2 mean - rstd m1,
 *   m1 = mean_group(gamma db) / P,  m2 = mean_group(gamma (ds - mean db) rstd) / P
 * </pre>
 * ({@code rstd (g - mean(g) - xhat mean(g xhat))} with {@code g = gamma du}, means over the
 * group's pixels and channels), as PyTorch's group norm backward computes it: eleven operations
 * on activation-sized tensors, and a few on {@code [n, C]}, where TensorFlow's auto-differentiation
 * of the forward builds many more (a U-Net training step ran 10,982 ops before, 8,621 with this;
 * docs/BENCHMARKS.md, "TensorFlow: fifth pass"). The op's name carries the static sizes, since
 * the graph is locked while gradients are built and cannot be asked for shapes then (asking
 * deadlocks).
 */
final class GroupNormGradient {
    private static final String MARKER = "group_norm_backward";
    /** {@code group_norm_backward.<silu|plain>.P<pixels>.C<channels>.G<groups>}, and the suffix that makes names unique. */
    private static final Pattern NAME = Pattern.compile(MARKER + "\\.(silu|plain)\\.P(\\d+)\\.C(\\d+)\\.G(\\d+)(_\\d+)?");

    private GroupNormGradient() {
    }

    /** Registration happens once per process, when this holder is first used (class initialisation is thread-safe). */
    private static final class Registration {
        static final boolean ACTIVE = register();

        private static boolean register() {
            try {
                return TensorFlow.registerCustomGradient("IdentityN", GroupNormGradient::gradient);
            } catch (UnsupportedOperationException e) {
                return false;           // Windows: TensorFlow Java registers no custom gradients there
            }
        }
    }

    /**
     * Whether the custom gradient is registered; false where TensorFlow Java cannot register it or
     * where {@code IdentityN} already had a gradient (another class loader's copy of this class):
     * the caller then keeps TensorFlow's own gradient of the plain forward.
     */
    static boolean available() {
        return Registration.ACTIVE;
    }

    /**
     * {@code y} with the closed-form gradient attached.
     *
     * @param y     the forward's result {@code [n, P, C]} (after SiLU if {@code u} is given)
     * @param x     the input {@code [n, P, C]}
     * @param u     the normalised, scaled and shifted input before SiLU, or null without SiLU
     * @param scale the scale parameter {@code [C]}
     * @param shift the shift parameter {@code [C]}
     * @param mean  the group means, repeated per channel: {@code [n, 1, C]}
     * @param rstd  {@code 1 / sqrt(var + eps)} per group, repeated per channel: {@code [n, 1, C]}
     */
    static Operand<TFloat32> attach(Ops tf, Operand<TFloat32> y, Operand<TFloat32> x, Operand<TFloat32> u, Operand<TFloat32> scale,
                                    Operand<TFloat32> shift, Operand<TFloat32> mean, Operand<TFloat32> rstd, int groups) {
        long[] s = x.shape().asArray();
        String name = MARKER + "." + (u != null ? "silu" : "plain") + ".P" + s[1] + ".C" + s[2] + ".G" + groups;
        List<Operand<?>> inputs = new ArrayList<>(List.of(tf.stopGradient(y), x));
        if (u != null) {
            inputs.add(tf.stopGradient(u));
        }
        inputs.addAll(List.of(scale, shift, tf.stopGradient(mean), tf.stopGradient(rstd)));
        return cast(tf.withName(name).identityN(inputs).output().get(0));
    }

    /** The gradient of every {@code IdentityN}: ours by name; any other passes its gradients through, as an identity does. */
    private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
        Matcher m = NAME.matcher(op.name().substring(op.name().lastIndexOf('/') + 1));
        if (!m.matches()) {
            return new ArrayList<>(grads);
        }
        boolean silu = m.group(1).equals("silu");
        long pixels = Long.parseLong(m.group(2));
        long channels = Long.parseLong(m.group(3));
        long groups = Long.parseLong(m.group(4));
        int i = 1;
        Operand<TFloat32> x = cast(op.input(i++));
        Operand<TFloat32> u = silu ? cast(op.input(i++)) : null;
        Operand<TFloat32> gamma = cast(op.input(i++));
        i++;                                                                   // the shift: only its gradient is needed
        Operand<TFloat32> meanIn = cast(op.input(i++));
        Operand<TFloat32> rstdIn = cast(op.input(i));
        Operand<TFloat32> dy = cast(grads.get(0));
        Operand<TFloat32> du = dy;
        if (silu) {
            Operand<TFloat32> sig = tf.math.sigmoid(u);
            du = tf.math.mul(dy, tf.math.add(sig, tf.math.sigmoidGrad(sig, u)));  // silu'(u) = s + s (1 - s) u
        }
        Operand<TInt64> nc = tf.constant(new long[] {-1, channels});
        Operand<TFloat32> mean = tf.reshape(meanIn, nc);                      // [n, C]
        Operand<TFloat32> rstd = tf.reshape(rstdIn, nc);
        Operand<TFloat32> db = tf.sum(du, tf.constant(1));                    // [n, C]: reductions over the middle axis run in place
        Operand<TFloat32> ds = tf.sum(tf.math.mul(du, x), tf.constant(1));
        Operand<TFloat32> dxhat = tf.math.mul(tf.math.sub(ds, tf.math.mul(mean, db)), rstd);  // sum_p du xhat
        Operand<TFloat32> dgamma = tf.sum(dxhat, tf.constant(0));
        Operand<TFloat32> dbeta = tf.sum(db, tf.constant(0));
        float perGroup = 1f / (pixels * (channels / groups));
        Operand<TFloat32> m1 = groupMean(tf, tf.math.mul(db, gamma), channels, groups, perGroup);
        Operand<TFloat32> m2 = groupMean(tf, tf.math.mul(dxhat, gamma), channels, groups, perGroup);
        Operand<TFloat32> rstd2m2 = tf.math.mul(tf.math.square(rstd), m2);
        Operand<TInt64> n1c = tf.constant(new long[] {-1, 1, channels});
        Operand<TFloat32> a = tf.reshape(tf.math.mul(rstd, gamma), n1c);
        Operand<TFloat32> b = tf.reshape(tf.math.neg(rstd2m2), n1c);
        Operand<TFloat32> c = tf.reshape(tf.math.sub(tf.math.mul(rstd2m2, mean), tf.math.mul(rstd, m1)), n1c);
        Operand<TFloat32> dx = tf.math.add(tf.math.mul(du, a), tf.math.add(tf.math.mul(x, b), c));
        // The forward's result, u and the statistics enter through StopGradient: what is returned for them is never used.
        List<Operand<?>> result = new ArrayList<>(List.of(dy, dx));
        if (silu) {
            result.add(dy);
        }
        result.addAll(List.of(dgamma, dbeta, tf.zerosLike(meanIn), tf.zerosLike(rstdIn)));
        return result;
    }

    /** The sum over each group's channels of {@code v [n, C]} times {@code scale}, repeated for every channel of the group: {@code [n, C]}. */
    private static Operand<TFloat32> groupMean(Ops tf, Operand<TFloat32> v, long channels, long groups, float scale) {
        Operand<TFloat32> sums = tf.sum(tf.reshape(v, tf.constant(new long[] {-1, groups, channels / groups})), tf.constant(2), Sum.keepDims(true));
        Operand<TFloat32> tiled = tf.tile(tf.math.mul(sums, tf.constant(scale)), tf.constant(new long[] {1, 1, channels / groups}));
        return tf.reshape(tiled, tf.constant(new long[] {-1, channels}));
    }

    @SuppressWarnings("unchecked")
    private static Operand<TFloat32> cast(Operand<?> o) {
        return (Operand<TFloat32>) o;
    }
}
