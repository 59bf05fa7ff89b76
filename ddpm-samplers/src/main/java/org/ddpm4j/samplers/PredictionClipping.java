package org.ddpm4j.samplers;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.tensor.Tensor;

/**
 * What a sampler does to its prediction of {@code x_0} before using it, with diffusers' keys:
 * <ul>
 *   <li>{@code clip_sample}: clamp into {@code [-clip_sample_range, clip_sample_range]} (Ho et al.
 *       clip to the data range [-1, 1]);</li>
 *   <li>{@code thresholding}: Imagen's dynamic thresholding (Saharia et al. 2022): per sample, s = the
 *       {@code dynamic_thresholding_ratio}-quantile of {@code |x_0|}, clamped to
 *       {@code [1, sample_max_value]}; then {@code x_0 <- clamp(x_0, -s, s) / s}. It takes precedence over clipping.</li>
 * </ul>
 */
record PredictionClipping(boolean clip, double clipRange, boolean threshold, double ratio, double maxValue) {

    /** Reads {@code thresholding} and its options; with {@code clipDefault != null} also {@code clip_sample}. */
    static PredictionClipping read(Parameters p, Boolean clipDefault) {
        boolean clip = false;
        double range = 1;
        if (clipDefault != null) {
            clip = p.getBoolean("clip_sample", clipDefault);
            range = Checks.positive(p.qualify("clip_sample_range"), p.getDouble("clip_sample_range", 1.0));
        }
        boolean threshold = p.getBoolean("thresholding", false);
        double ratio = Checks.closed(p.qualify("dynamic_thresholding_ratio"), p.getDouble("dynamic_thresholding_ratio", 0.995), 0, 1);
        double max = Checks.positive(p.qualify("sample_max_value"), p.getDouble("sample_max_value", 1.0));
        return new PredictionClipping(clip, range, threshold, ratio, max);
    }

    /** Reads {@code clip_sample} and {@code clip_sample_range} only (samplers without thresholding). */
    static PredictionClipping readClipOnly(Parameters p, boolean clipDefault) {
        boolean clip = p.getBoolean("clip_sample", clipDefault);
        double range = Checks.positive(p.qualify("clip_sample_range"), p.getDouble("clip_sample_range", 1.0));
        return new PredictionClipping(clip, range, false, 0.995, 1);
    }

    boolean active() {
        return clip || threshold;
    }

    Tensor apply(Tensor x0) {
        if (threshold) {
            double[] s = x0.absQuantilePerSample(ratio);
            double[] inverse = new double[s.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.min(Math.max(s[i], 1), maxValue); // torch.clamp(s, min=1, max=sample_max_value)
                inverse[i] = 1 / s[i];
            }
            return x0.clampPerSample(s).mulPerSample(inverse);
        }
        return clip ? x0.clamp(-clipRange, clipRange) : x0;
    }
}
