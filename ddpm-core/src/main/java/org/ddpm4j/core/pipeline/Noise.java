package org.ddpm4j.core.pipeline;

import java.nio.file.Path;
import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.SampleNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.toolkit.io.Npy;

/** The initial noise of a sampling run: drawn per sample from a seed, or read from a file (to replay a run). */
public final class Noise {
    private Noise() {
    }

    /**
     * The initial noise {@code x_T} of samples {@code firstIndex .. firstIndex + n - 1} of a run with
     * {@code seed}, each of shape {@code sampleShape}: row {@code r} is a pure function of
     * {@code (seed, firstIndex + r)} ({@link GaussianNoise#forSample} at {@link GaussianNoise#INITIAL_STEP}),
     * the same in any batch and on any backend.
     */
    public static Tensor seeded(TensorBackend backend, int n, int[] sampleShape, long seed, long firstIndex) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return SampleNoise.initial(backend, seed, firstIndex, shape);
    }

    /** The initial noise of samples {@code 0 .. n - 1} ({@link #seeded(TensorBackend, int, int[], long, long)}). */
    public static Tensor seeded(TensorBackend backend, int n, int[] sampleShape, long seed) {
        return seeded(backend, n, sampleShape, seed, 0);
    }

    /** As {@link #seeded(TensorBackend, int, int[], long, long)}, shaped like the samples of {@code model}. */
    public static Tensor seeded(Denoiser model, TensorBackend backend, int n, long seed, long firstIndex) {
        return seeded(backend, n, sampleShape(model), seed, firstIndex);
    }

    /** As {@link #seeded(TensorBackend, int, int[], long)}, shaped like the samples of {@code model}. */
    public static Tensor seeded(Denoiser model, TensorBackend backend, int n, long seed) {
        return seeded(backend, n, sampleShape(model), seed, 0);
    }

    /** The shape of one sample of {@code model}. */
    public static int[] sampleShape(Denoiser model) {
        return model.sampleShape().orElseThrow(() -> new IllegalStateException("the denoiser declares no sample shape"));
    }

    /** Standard normal noise from an .npy file given for {@code option}, whose shape must be {@code [n, sampleShape...]}. */
    public static Tensor read(String option, Path file, int[] sampleShape, TensorBackend backend) {
        Npy.Array a = readArray(option, file, sampleShape);
        return backend.fromHost(a.data(), a.shape());
    }

    /** As {@link #read}, on the host: the checked array of the file. */
    public static Npy.Array readArray(String option, Path file, int[] sampleShape) {
        Npy.Array a = Npy.read(file);
        int[] shape = a.shape();
        if (shape.length != sampleShape.length + 1 || shape[0] < 1
                || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sampleShape)) {
            throw new InvalidParameterException(option, file + " of shape " + Arrays.toString(shape),
                    "must hold noise of shape [n, " + Arrays.toString(sampleShape).replaceAll("[\\[\\]]", "") + "] for this denoiser");
        }
        return a;
    }
}
