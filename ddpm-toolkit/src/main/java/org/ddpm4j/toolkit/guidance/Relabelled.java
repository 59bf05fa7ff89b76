package org.ddpm4j.toolkit.guidance;

import java.util.Optional;
import java.util.function.IntFunction;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.Tensor;

/** A model asked with the labels {@code labels} picks for the batch size, whatever condition it is given; unconditional to its callers. */
final class Relabelled implements Denoiser {
    private final Denoiser model;
    private final IntFunction<Condition> labels;
    private final String description;

    Relabelled(Denoiser model, IntFunction<Condition> labels, String description) {
        this.model = model;
        this.labels = labels;
        this.description = description;
    }

    @Override
    public Parameterization parameterization() {
        return model.parameterization();
    }

    @Override
    public Tensor predict(Tensor x, double[] t, Condition condition) {
        return model.predict(x, t, labels.apply(x.batchSize()));
    }

    @Override
    public Optional<int[]> sampleShape() {
        return model.sampleShape();
    }

    @Override
    public VarianceOutput varianceOutput() {
        return model.varianceOutput();
    }

    @Override
    public String toString() {
        return description;
    }
}
