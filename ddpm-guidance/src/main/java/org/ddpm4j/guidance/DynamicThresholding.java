package org.ddpm4j.guidance;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Imagen's dynamic thresholding (Saharia et al. 2022) of an {@code x_0} prediction: per sample,
 * {@code s = clamp(quantile(|x_0|, p), 1, sample_max_value)}, then {@code x_0 <- clamp(x_0, -s, s) / s}.
 * Keeps strongly guided predictions inside the data range without the saturation of plain clipping.
 * Parameters as in diffusers: {@code thresholding}, {@code dynamic_thresholding_ratio} (p),
 * {@code sample_max_value}.
 */
record DynamicThresholding(double ratio, double maxValue) {

    /** Reads the options; empty when {@code thresholding} is false. */
    static java.util.Optional<DynamicThresholding> read(Parameters p) {
        boolean on = p.getBoolean("thresholding", false);
        double ratio = Checks.open(p.qualify("dynamic_thresholding_ratio"), p.getDouble("dynamic_thresholding_ratio", 0.995), 0, 1);
        double max = Checks.closed(p.qualify("sample_max_value"), p.getDouble("sample_max_value", 1.0), 1, Double.MAX_VALUE);
        return on ? java.util.Optional.of(new DynamicThresholding(ratio, max)) : java.util.Optional.empty();
    }

    Tensor apply(Tensor x0) {
        double[] s = x0.absQuantilePerSample(ratio);
        double[] inverse = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.max(1, Math.min(maxValue, s[i]));
            inverse[i] = 1 / s[i];
        }
        return x0.clampPerSample(s).mulPerSample(inverse);
    }
}
