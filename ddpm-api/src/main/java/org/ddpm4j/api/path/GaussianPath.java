package org.ddpm4j.api.path;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * A Gaussian probability path {@code x_t = a(t) x_0 + b(t) eps} on its own time {@code t in [0, 1]}
 * (0 = data, 1 = noise): the one family that holds diffusion and flow matching. A variance-preserving
 * {@link org.ddpm4j.api.schedule.Schedule} is the path {@code a = alpha_t, b = sigma_t}; rectified
 * flow (Liu et al. 2022; Lipman et al.'s optimal-transport path) is {@code a = 1 - t, b = t}; the
 * variance-exploding path is {@code a = 1, b = sigma(t)}.
 *
 * <p>What a model sees of a path is only its signal-to-noise ratio {@code (a / b)^2} and a scale:
 * {@code x_path = scale(t) x_vp} with {@code scale = sqrt(a^2 + b^2)}, where {@code x_vp} is the
 * variance-preserving point of the same SNR. So a point of one path is a point of any other at the
 * time of the same variance-exploding noise level {@code sigma = b / a} ({@link #timeAtSigma}), and
 * every prediction converts exactly: {@link #velocity} is the flow-matching target
 * {@code u = a' x_0 + b' eps}, {@link #toVelocity} / {@link #fromVelocity} convert it from and to the
 * other {@link Parameterization}s at a point of this path. They are the one place these maps are written.
 */
public interface GaussianPath {

    /** A short name: {@code linear}, {@code vp}, {@code ve}. */
    String name();

    /** Signal coefficient {@code a(t)}. */
    double signal(double t);

    /** Noise coefficient {@code b(t)}. */
    double noise(double t);

    /** {@code a'(t)}. */
    double signalRate(double t);

    /** {@code b'(t)}. */
    double noiseRate(double t);

    /** The time at which {@code b / a = sigma}, clamped to {@code [0, 1]}: the time of the same SNR. */
    double timeAtSigma(double sigma);

    /** The variance-exploding noise level {@code b / a} (infinite where the signal is gone). */
    default double sigma(double t) {
        return noise(t) / signal(t);
    }

    /** {@code sqrt(a^2 + b^2)}: a point of this path is {@code scale} times the variance-preserving point of the same SNR. */
    default double scale(double t) {
        return Math.hypot(signal(t), noise(t));
    }

    /** {@code x_t = a(t[i]) x_0 + b(t[i]) eps} per sample. */
    default Tensor addNoise(Tensor x0, Tensor eps, double[] t) {
        return combine(x0, this::signal, eps, this::noise, t);
    }

    /** The conditional flow-matching target {@code u = a'(t[i]) x_0 + b'(t[i]) eps} per sample. */
    default Tensor velocity(Tensor x0, Tensor eps, double[] t) {
        return combine(x0, this::signalRate, eps, this::noiseRate, t);
    }

    /**
     * The velocity {@code u = a' x_0 + b' eps} of a {@code prediction} of kind {@code kind} made at
     * {@code x}, a point of this path at time {@code t}. The score is that of the variance-preserving
     * point ({@link Parameterization#SCORE}); {@link Parameterization#FLOW} is the linear path's velocity.
     */
    default Tensor toVelocity(Parameterization kind, Tensor prediction, Tensor x, double t) {
        double a = signal(t);
        double b = noise(t);
        double s = scale(t);
        Tensor vp = x.mul(1 / s);
        Tensor x0 = kind.convert(prediction, Parameterization.SAMPLE, vp, a / s, b / s);
        Tensor eps = kind.convert(prediction, Parameterization.EPSILON, vp, a / s, b / s);
        return x0.linear(signalRate(t), eps, noiseRate(t));
    }

    /**
     * The prediction of kind {@code kind} that the velocity {@code u} at {@code x} (a point of this
     * path at time {@code t}) stands for: solving {@code x = a x_0 + b eps, u = a' x_0 + b' eps}.
     */
    default Tensor fromVelocity(Tensor u, Parameterization kind, Tensor x, double t) {
        double a = signal(t);
        double b = noise(t);
        double da = signalRate(t);
        double db = noiseRate(t);
        double det = a * db - b * da;
        if (!(Math.abs(det) > 0)) {
            throw new IllegalArgumentException("path '" + name() + "' does not determine x_0 and eps from x and its velocity at t = " + t);
        }
        Tensor x0 = x.linear(db / det, u, -b / det);
        if (kind == Parameterization.SAMPLE) {
            return x0;
        }
        Tensor eps = u.linear(a / det, x, -da / det);
        double s = scale(t);
        return Parameterization.EPSILON.convert(eps, kind, x.mul(1 / s), a / s, b / s);
    }

    private static Tensor combine(Tensor x, java.util.function.DoubleUnaryOperator f, Tensor y,
                                  java.util.function.DoubleUnaryOperator g, double[] t) {
        if (t.length != x.batchSize()) {
            throw new IllegalArgumentException("t has " + t.length + " entries for a batch of " + x.batchSize());
        }
        double[] cx = new double[t.length];
        double[] cy = new double[t.length];
        boolean uniform = true;
        for (int i = 0; i < t.length; i++) {
            cx[i] = f.applyAsDouble(t[i]);
            cy[i] = g.applyAsDouble(t[i]);
            uniform &= t[i] == t[0];
        }
        return uniform ? x.linear(cx[0], y, cy[0]) : x.mulPerSample(cx).add(y.mulPerSample(cy));
    }

    /** Rectified flow / the optimal-transport path: {@code a = 1 - t, b = t}, velocity {@code eps - x_0}. */
    static GaussianPath linear() {
        return LinearPath.INSTANCE;
    }

    /** The variance-preserving path of a continuous schedule: {@code a = alpha_t, b = sigma_t}, {@code a' = -beta a / 2}, {@code b' = beta a^2 / (2 b)}. */
    static GaussianPath variancePreserving(ContinuousSchedule schedule) {
        return new VariancePreservingPath(schedule);
    }

    /** The variance-exploding path {@code a = 1, b = sigmaMin (sigmaMax / sigmaMin)^t} (Song et al. 2021). */
    static GaussianPath varianceExploding(double sigmaMin, double sigmaMax) {
        Checks.positive("sigma_min", sigmaMin);
        Checks.ordered("sigma_min", sigmaMin, "sigma_max", sigmaMax);
        return new VarianceExplodingPath(sigmaMin, sigmaMax);
    }
}
