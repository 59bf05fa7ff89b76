package org.ddpm4j.guidance;

import java.util.List;
import java.util.Optional;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022):
 * {@code eps~ = eps(x, null) + w (eps(x, y) - eps(x, null))}, from one batched forward pass of the
 * conditional and unconditional halves. {@code w = 0} is the unconditional model, {@code w = 1}
 * the conditional one, {@code w > 1} sharpens toward the class.
 *
 * <p>The combination is applied to the model's own output: at a shared {@code x_t} the maps between
 * epsilon, x0 and v are affine with equal coefficients for both halves, so guiding in any
 * parameterization gives the same result as converting to epsilon, guiding and converting back.
 * Options: guidance rescale (Lin et al. 2023, {@code guidance_rescale = phi}): the guided output's
 * per-sample standard deviation is matched to the conditional one's and mixed in with weight phi;
 * dynamic thresholding of the implied {@code x_0}. A model with a learned variance is guided in its
 * prediction; the variance channels are the conditional prediction's (as GLIDE does).
 */
public final class ClassifierFreeGuidance implements Guidance {
    public static final String NAME = "cfg";

    private final Parameters parameters;
    private final GuidanceScale scale;
    private final double rescale;
    private final Optional<DynamicThresholding> thresholding;

    public ClassifierFreeGuidance(Parameters p) {
        this.parameters = p;
        this.scale = GuidanceScale.read(p, 3.0, 1.0);
        this.rescale = Checks.closed(p.qualify("guidance_rescale"), p.getDouble("guidance_rescale", 0.0), 0, 1);
        this.thresholding = DynamicThresholding.read(p);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Denoiser guide(Denoiser model, GuidanceContext context) {
        if (model.numClasses() == 0) {
            throw new InvalidParameterException(parameters.qualify("model"), "unconditional",
                    "classifier-free guidance needs a class-conditional model trained with condition dropout");
        }
        return new GuidedDenoiser(model, context.schedule(), model.numClasses(), thresholding, true) {
            @Override
            Tensor guide(Tensor x, double[] t, Condition condition) {
                int n = x.batchSize();
                double[] tt = new double[2 * n];
                System.arraycopy(t, 0, tt, 0, n);
                System.arraycopy(t, 0, tt, n, n);
                Tensor both = model.predict(x.backend().concat(List.of(x, x)), tt, condition.concat(condition.toNull()));
                Tensor conditional = both.slice(0, n);
                Tensor unconditional = both.slice(n, 2 * n);
                Tensor variance = null;
                if (model.varianceOutput() != VarianceOutput.NONE) {
                    // GLIDE's choice: guide the prediction, keep the conditional model's variance
                    VarianceOutput.Split c = VarianceOutput.split(conditional);
                    conditional = c.prediction();
                    variance = c.variance();
                    unconditional = VarianceOutput.split(unconditional).prediction();
                }
                double[] w = scale.at(t, schedule);
                Tensor guided = unconditional.add(conditional.sub(unconditional).mulPerSample(w));
                guided = rescale == 0 ? guided : rescaled(guided, conditional);
                return variance == null ? guided : VarianceOutput.join(guided, variance);
            }
        };
    }

    /** {@code phi * guided * std(conditional) / std(guided) + (1 - phi) * guided}, per sample. */
    private Tensor rescaled(Tensor guided, Tensor conditional) {
        double[] stdGuided = std(guided);
        double[] stdConditional = std(conditional);
        double[] factor = new double[stdGuided.length];
        for (int i = 0; i < factor.length; i++) {
            double ratio = stdGuided[i] == 0 ? 1 : stdConditional[i] / stdGuided[i];
            factor[i] = rescale * ratio + (1 - rescale);
        }
        return guided.mulPerSample(factor);
    }

    /** Per-sample standard deviation (unbiased, as torch.std). */
    private static double[] std(Tensor t) {
        int d = t.sampleSize();
        double[] sum = t.sumPerSample();
        double[] squares = t.square().sumPerSample();
        double[] std = new double[sum.length];
        for (int i = 0; i < sum.length; i++) {
            double mean = sum[i] / d;
            std[i] = Math.sqrt(Math.max(0, (squares[i] - d * mean * mean) / Math.max(1, d - 1)));
        }
        return std;
    }
}
