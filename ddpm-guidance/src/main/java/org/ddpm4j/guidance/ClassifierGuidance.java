package org.ddpm4j.guidance;

import java.util.Optional;
import java.util.function.DoubleUnaryOperator;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Classifier guidance (Dhariwal &amp; Nichol 2021, Algorithm 2):
 * {@code eps~ = eps(x_t) - s sqrt(1 - alphaBar_t) grad_{x_t} log p_phi(y | x_t, t)}, with the gradient
 * from a noisy classifier. Since {@code eps = -sqrt(1 - alphaBar) grad log q(x_t)}, scale 1 gives
 * the score of {@code q(x_t | y)}: the exact conditional model when the classifier is exact.
 *
 * <p>{@code form = mean_shift} is Algorithm 1 for ancestral sampling over every training step:
 * the reverse mean moves by {@code s Sigma_t grad log p} with {@code Sigma_t = betaTilde_t}; expressed
 * as a change of eps it is {@code eps~ = eps - s betaTilde_t sqrt(alpha_t) sqrt(1 - alphaBar_t) / beta_t grad},
 * so any sampler can use it (exactly Algorithm 1 with the DDPM sampler at T steps).
 */
public final class ClassifierGuidance implements Guidance {
    public static final String NAME = "classifier";

    private final Parameters parameters;
    private final GuidanceScale scale;
    private final boolean meanShift;
    private final Optional<DynamicThresholding> thresholding;

    public ClassifierGuidance(Parameters p) {
        this.parameters = p;
        this.scale = GuidanceScale.read(p, 1.0, 0.0);
        this.meanShift = p.getChoice("form", "epsilon", "epsilon", "mean_shift").equals("mean_shift");
        this.thresholding = DynamicThresholding.read(p);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Denoiser guide(Denoiser model, GuidanceContext context) {
        Classifier classifier = context.classifier().orElseThrow(() -> new InvalidParameterException(
                parameters.qualify("classifier"), "missing", "classifier guidance needs a noisy classifier (--classifier)"));
        if (model.numClasses() > 0 && model.numClasses() != classifier.numClasses()) {
            throw new InvalidParameterException(parameters.qualify("classifier"), classifier.numClasses() + " classes",
                    "must have the model's " + model.numClasses() + " classes");
        }
        if (meanShift && !(context.schedule() instanceof DiscreteSchedule)) {
            throw new InvalidParameterException(parameters.qualify("form"), "mean_shift", "needs a discrete schedule");
        }
        Denoiser epsilon = model.as(Parameterization.EPSILON, context.schedule());
        DoubleUnaryOperator coefficient = coefficient(context.schedule());
        return new GuidedDenoiser(model, context.schedule(), classifier.numClasses(), thresholding) {
            @Override
            Tensor guide(Tensor x, double[] t, Condition condition) {
                int n = t.length;
                int[] labels = condition.labels();
                Condition forModel = model.numClasses() > 0 ? condition : Condition.none();
                Tensor eps = epsilon.predict(x, t, forModel);
                double[] alpha = new double[n];
                double[] sigma = new double[n];
                double[] step = new double[n];
                boolean any = false;
                for (int i = 0; i < n; i++) {
                    alpha[i] = schedule.signal(t[i]);
                    sigma[i] = schedule.noise(t[i]);
                    step[i] = labels[i] == Condition.NULL_CLASS ? 0 : -scale.at(t[i], schedule) * coefficient.applyAsDouble(t[i]);
                    any |= step[i] != 0;
                }
                Tensor guided = eps;
                if (any) {
                    int[] targets = labels.clone();
                    for (int i = 0; i < n; i++) {
                        targets[i] = Math.max(0, targets[i]); // unguided rows have step 0
                    }
                    guided = eps.add(classifier.logProbabilityGradient(x, t, targets).mulPerSample(step));
                }
                return Parameterization.EPSILON.convert(guided, model.parameterization(), x, alpha, sigma);
            }
        };
    }

    /** The factor {@code c_t} of {@code s grad log p} in the change of eps, {@code eps~ = eps - s c_t grad}. */
    private DoubleUnaryOperator coefficient(Schedule schedule) {
        if (!meanShift) {
            return t -> schedule.noise(t);
        }
        DiscreteSchedule discrete = (DiscreteSchedule) schedule;
        return t -> {
            int k = (int) Math.round(t);
            double betaTilde = discrete.posterior(k).variance();
            return betaTilde * Math.sqrt(discrete.alpha(k)) * Math.sqrt(1 - discrete.alphaBar(k)) / discrete.beta(k);
        };
    }
}
