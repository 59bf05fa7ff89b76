package org.ddpm4j.api.model;

import java.util.Locale;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.Tensor;

/**
 * What a denoiser outputs besides its prediction (Nichol &amp; Dhariwal 2021). A denoiser whose
 * {@link Denoiser#varianceOutput()} is not {@link #NONE} returns twice the channels of its input,
 * laid out as guided-diffusion and diffusers do: {@code [n, 2C, ...]}, the prediction in the first
 * {@code C} channels, the variance output in the last {@code C}. What the variance channels mean:
 * <ul>
 *   <li>{@link #LEARNED}: the reverse variance {@code sigma_t^2} itself (diffusers' {@code learned});</li>
 *   <li>{@link #LEARNED_RANGE}: the interpolation {@code v} in {@code [-1, 1]} between the log of
 *       the posterior variance {@code betaTilde_t} ({@code v = -1}) and of {@code beta_t} ({@code v = 1}):
 *       {@code log sigma_t^2 = (1 + v)/2 log beta_t + (1 - v)/2 log betaTilde_t}.</li>
 * </ul>
 */
public enum VarianceOutput {
    NONE("none"),
    LEARNED("learned"),
    LEARNED_RANGE("learned_range");

    private final String key;

    VarianceOutput(String key) {
        this.key = key;
    }

    /** The name diffusers' {@code variance_type} and the model card use. */
    public String key() {
        return key;
    }

    /** Parses {@code none | learned | learned_range}. */
    public static VarianceOutput parse(String parameter, String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (VarianceOutput v : values()) {
            if (v.key.equals(n)) {
                return v;
            }
        }
        throw new InvalidParameterException(parameter, name, "must be one of none, learned, learned_range");
    }

    /** The prediction and the variance channels of one output. */
    public record Split(Tensor prediction, Tensor variance) {
    }

    /**
     * Splits an output {@code [n, 2C, ...]} into its prediction and variance halves (each {@code [n, C, ...]}).
     * Done on the host: one copy per evaluation, small next to the network that made it.
     */
    public static Split split(Tensor output) {
        int[] shape = output.shape();
        if (shape.length < 2 || shape[1] % 2 != 0) {
            throw new IllegalArgumentException("a learned-variance output must have an even number of channels in dimension 1; got shape "
                    + Tensor.describe(shape));
        }
        int[] half = shape.clone();
        half[1] = shape[1] / 2;
        double[] all = output.toDoubleArray();
        int per = output.sampleSize() / 2;
        int n = output.batchSize();
        double[] prediction = new double[n * per];
        double[] variance = new double[n * per];
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, 2 * i * per, prediction, i * per, per);
            System.arraycopy(all, 2 * i * per + per, variance, i * per, per);
        }
        return new Split(output.backend().fromHost(prediction, half), output.backend().fromHost(variance, half));
    }

    /** The inverse of {@link #split}: {@code [n, C, ...]} twice into {@code [n, 2C, ...]}. */
    public static Tensor join(Tensor prediction, Tensor variance) {
        int[] shape = prediction.shape().clone();
        shape[1] *= 2;
        double[] p = prediction.toDoubleArray();
        double[] v = variance.toDoubleArray();
        int per = prediction.sampleSize();
        double[] all = new double[2 * p.length];
        for (int i = 0; i < prediction.batchSize(); i++) {
            System.arraycopy(p, i * per, all, 2 * i * per, per);
            System.arraycopy(v, i * per, all, 2 * i * per + per, per);
        }
        return prediction.backend().fromHost(all, shape);
    }
}
