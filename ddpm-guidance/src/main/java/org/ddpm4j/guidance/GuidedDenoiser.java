package org.ddpm4j.guidance;

import java.util.Optional;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * What every guided denoiser shares: it predicts what the wrapped model predicts, checks the target
 * labels before any work, and optionally applies dynamic thresholding to the {@code x_0} implied by
 * the guided prediction (converting there and back in the one shared place,
 * {@link Parameterization#convert}).
 */
abstract class GuidedDenoiser implements Denoiser {
    protected final Denoiser model;
    protected final Schedule schedule;
    private final int classes;
    private final Optional<DynamicThresholding> thresholding;

    GuidedDenoiser(Denoiser model, Schedule schedule, int classes, Optional<DynamicThresholding> thresholding) {
        this(model, schedule, classes, thresholding, false);
    }

    /**
     * {@code keepsVariance}: the guidance passes a learned variance through ({@link #guide} returns the
     * prediction and the variance channels); otherwise a model with a variance output is refused.
     */
    GuidedDenoiser(Denoiser model, Schedule schedule, int classes, Optional<DynamicThresholding> thresholding, boolean keepsVariance) {
        if (model.varianceOutput() != VarianceOutput.NONE && !keepsVariance) {
            throw new IllegalArgumentException("this guidance of a model with a learned variance (variance output "
                    + model.varianceOutput().key() + ") is not supported; use classifier-free guidance (cfg) or sample it unguided");
        }
        this.model = model;
        this.schedule = schedule;
        this.classes = classes;
        this.thresholding = thresholding;
    }

    /** The guided prediction, in the model's parameterization. */
    abstract Tensor guide(Tensor x, double[] t, Condition condition);

    @Override
    public final Tensor predict(Tensor x, double[] t, Condition condition) {
        if (condition.isNone()) {
            throw new IllegalArgumentException("guidance needs target classes: sample with Condition.classes(...)");
        }
        condition.checkBatch(x.batchSize());
        for (int label : condition.labels()) {
            if (label != Condition.NULL_CLASS && (label < 0 || label >= classes)) {
                throw new IllegalArgumentException("class " + label + " out of range [0, " + (classes - 1) + "]");
            }
        }
        Tensor out = guide(x, t, condition);
        if (thresholding.isEmpty()) {
            return out;
        }
        if (model.varianceOutput() != VarianceOutput.NONE) {
            VarianceOutput.Split split = VarianceOutput.split(out);
            return VarianceOutput.join(thresholded(split.prediction(), x, t), split.variance());
        }
        return thresholded(out, x, t);
    }

    /** The prediction whose implied {@code x_0} is dynamically thresholded. */
    private Tensor thresholded(Tensor out, Tensor x, double[] t) {
        double[] alpha = new double[t.length];
        double[] sigma = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            alpha[i] = schedule.signal(t[i]);
            sigma[i] = schedule.noise(t[i]);
        }
        Parameterization p = model.parameterization();
        Tensor x0 = thresholding.get().apply(p.convert(out, Parameterization.SAMPLE, x, alpha, sigma));
        return Parameterization.SAMPLE.convert(x0, p, x, alpha, sigma);
    }

    @Override
    public Parameterization parameterization() {
        return model.parameterization();
    }

    @Override
    public VarianceOutput varianceOutput() {
        return model.varianceOutput();
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public Optional<int[]> sampleShape() {
        return model.sampleShape();
    }
}
