package org.ddpm4j.api.training;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The denoising objective, written once for every backend. For clean data {@code x_0} it samples
 * {@code t} (uniform over the training steps, or over {@code [1e-5, 1]} for a continuous schedule)
 * and {@code eps ~ N(0, I)}, forms {@code x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps}
 * and the regression target of the model's parameterization ({@code eps}, {@code x_0},
 * {@code v = alpha_t eps - sigma_t x_0} or the score {@code -eps / sigma_t}). Once these latents
 * are sampled, learning the reverse process is supervised regression: the backend only needs to
 * fit the target.
 *
 * <p>On a flow schedule ({@link FlowSchedule}: a {@link org.ddpm4j.api.path.GaussianPath} such as rectified
 * flow) it is the conditional flow-matching objective: the path time is drawn from a
 * {@link TimeDistribution} and the {@link Parameterization#FLOW} target is the velocity
 * {@code u = eps - x_0} (Lipman et al. 2023; Liu et al. 2022). The network sees the path's
 * variance-preserving point {@code x_s / sqrt(a^2 + b^2)}, the input every ddpm4j denoiser takes (the
 * scaling is EDM's input preconditioning {@code c_in}), so sampling needs nothing else.
 *
 * <p>For a network with a learned variance ({@link #withLoss}), the objective adds the variational
 * bound's term {@code L_t} ({@link VariationalLoss}; Nichol &amp; Dhariwal 2021): {@link Loss#HYBRID}
 * {@code L_simple + lambda L_vlb} with the mean's gradient stopped in {@code L_vlb}
 * ({@code L_vlb = T E_t[L_t]}, so each sample's term is weighted {@code lambda T}; lambda = 0.001 as in
 * the paper), or {@link Loss#VLB}, {@code L_vlb} alone with {@code t} drawn by the
 * {@link LossAwareTimeSampler} (each sample weighted {@code 1 / (T p_t)}). After each step,
 * {@link #record} hands the per-sample terms to that sampler.
 *
 * <p>For classifier-free guidance, each label is replaced by {@link Condition#NULL_CLASS} with
 * probability {@code conditionDropout}, so one network learns both {@code eps(x, y)} and
 * {@code eps(x, null)}.
 */
public final class Objective {
    /** Smallest time sampled on a continuous schedule (Song et al.'s training epsilon). */
    public static final double CONTINUOUS_T_MIN = 1e-5;

    private final Schedule schedule;
    private final Parameterization target;
    private final LossWeighting weighting;
    private final double conditionDropout;
    private final TimeDistribution times;
    private final Loss loss;
    private final double vlbWeight;
    private final LossAwareTimeSampler timeSampler;

    /** What the objective trains: the regression alone, or with the variational bound for a learned variance. */
    public enum Loss {
        /** The weighted regression ({@code L_simple} with uniform weights); for networks without a variance output. */
        SIMPLE("simple"),
        /** {@code L_simple + lambda L_vlb}, the mean's gradient stopped in {@code L_vlb}. */
        HYBRID("hybrid"),
        /** {@code L_vlb} alone, with loss-aware importance sampling of {@code t}. */
        VLB("vlb");

        private final String key;

        Loss(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        /** Parses {@code simple | hybrid | vlb}. */
        public static Loss parse(String parameter, String name) {
            for (Loss l : values()) {
                if (l.key.equals(name)) {
                    return l;
                }
            }
            throw new InvalidParameterException(parameter, name, "must be one of simple, hybrid, vlb");
        }
    }

    /** The paper's weight of {@code L_vlb} in the hybrid objective. */
    public static final double DEFAULT_VLB_WEIGHT = 0.001;

    public Objective(Schedule schedule, Parameterization target, LossWeighting weighting, double conditionDropout) {
        this(schedule, target, weighting, conditionDropout, TimeDistribution.UNIFORM);
    }

    /** {@code times} draws the path time on a flow schedule; elsewhere it must be uniform. */
    public Objective(Schedule schedule, Parameterization target, LossWeighting weighting, double conditionDropout, TimeDistribution times) {
        this(schedule, target, weighting, conditionDropout, times, Loss.SIMPLE, 0);
    }

    private Objective(Schedule schedule, Parameterization target, LossWeighting weighting, double conditionDropout, TimeDistribution times,
                      Loss loss, double vlbWeight) {
        this.loss = loss;
        this.vlbWeight = vlbWeight;
        if (loss != Loss.SIMPLE) {
            if (!(schedule instanceof DiscreteSchedule d)) {
                throw new InvalidParameterException("loss", loss.key(), "the variational bound is written for a discrete schedule of T steps; schedule '"
                        + schedule.name() + "' is not discrete");
            }
            if (target == Parameterization.FLOW) {
                throw new InvalidParameterException("loss", loss.key(), "needs a diffusion parameterization (epsilon, sample, v_prediction), not flow");
            }
            if (d.zeroTerminalSnr()) {
                throw new InvalidParameterException("loss", loss.key(), "needs alphaBar_t > 0 at every step; schedule '" + schedule.name()
                        + "' was rescaled to zero terminal SNR");
            }
            if (loss == Loss.HYBRID) {
                Checks.positive("vlb_weight", vlbWeight);
            }
        }
        this.timeSampler = loss == Loss.VLB ? new LossAwareTimeSampler(((DiscreteSchedule) schedule).trainSteps()) : null;
        this.schedule = schedule;
        this.target = target;
        this.weighting = weighting;
        this.conditionDropout = Checks.closed("condition_dropout", conditionDropout, 0, 1);
        this.times = times;
        requireMatch(schedule, target);
        if (!(schedule instanceof DiscreteSchedule) && !(schedule instanceof ContinuousSchedule) && !(schedule instanceof FlowSchedule)) {
            throw new IllegalArgumentException("schedule '" + schedule.name() + "' is neither discrete, continuous nor a flow path");
        }
        if (!(schedule instanceof FlowSchedule) && times != TimeDistribution.UNIFORM) {
            throw new InvalidParameterException("time_distribution", times.describe().get("type"), "applies to the flow-matching objective "
                    + "(a flow schedule such as rectified-flow); schedule '" + schedule.name() + "' draws its training steps uniformly");
        }
    }

    /**
     * The flow velocity target is the linear path's: a model predicting it must be trained (and
     * sampled) on a flow schedule. Fails naming the mismatch otherwise.
     */
    public static void requireMatch(Schedule schedule, Parameterization target) {
        if (target == Parameterization.FLOW && !(schedule instanceof FlowSchedule)) {
            throw new InvalidParameterException("parameterization", target.diffusersName(), "is the flow-matching velocity of a flow path; "
                    + "schedule '" + schedule.name() + "' is a diffusion (variance-preserving) schedule: use a flow schedule (rectified-flow) "
                    + "or predict epsilon, sample or v_prediction");
        }
    }

    /**
     * This objective with the variational bound of a learned variance: {@link Loss#HYBRID} with
     * {@code vlbWeight} (lambda), or {@link Loss#VLB} ({@code vlbWeight} unused); {@link Loss#SIMPLE} as it is.
     * Each call starts a fresh importance sampler.
     */
    public Objective withLoss(Loss kind, double vlbWeight) {
        return new Objective(schedule, target, weighting, conditionDropout, times, kind, kind == Loss.HYBRID ? vlbWeight : 0);
    }

    public Loss loss() {
        return loss;
    }

    /** The importance sampler of {@link Loss#VLB}, empty otherwise. */
    public java.util.Optional<LossAwareTimeSampler> timeSampler() {
        return java.util.Optional.ofNullable(timeSampler);
    }

    /**
     * {@code flow-matching} on a flow schedule, else {@code denoising}, with the time distribution,
     * and the loss of a learned variance: what a model card records.
     */
    public java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("type", schedule instanceof FlowSchedule ? "flow-matching" : "denoising");
        if (schedule instanceof FlowSchedule) {
            d.put("time_distribution", times.describe());
        }
        if (loss != Loss.SIMPLE) {
            d.put("loss", loss.key());
            if (loss == Loss.HYBRID) {
                d.put("vlb_weight", vlbWeight);
            } else {
                d.put("time_sampler", "loss-aware");
            }
        }
        return d;
    }

    /** Hands the per-sample terms of a batch whose step was taken to the importance sampler ({@link Loss#VLB}; else nothing). */
    public void record(TrainingBatch batch) {
        if (timeSampler == null || batch.vlb() == null) {
            return;
        }
        double[] terms = batch.vlb().terms();
        for (int i = 0; i < terms.length; i++) {
            timeSampler.record((int) batch.t()[i], terms[i]);
        }
    }

    /** {@code L_simple}: epsilon target, uniform weights, no condition dropout. */
    public static Objective simple(Schedule schedule) {
        return new Objective(schedule, Parameterization.EPSILON, LossWeighting.UNIFORM, 0);
    }

    public Schedule schedule() {
        return schedule;
    }

    public Parameterization target() {
        return target;
    }

    /**
     * The regression batch for {@code x0} (labels in {@code condition}, or none), drawing all
     * randomness from {@code noise}.
     */
    public TrainingBatch batch(Tensor x0, Condition condition, GaussianNoise noise) {
        return batch(x0, null, condition, noise);
    }

    /**
     * The regression batch for given couplings: {@code x0[i]} with its own noise {@code eps[i]}
     * instead of fresh noise (reflow, Liu et al. 2022: the pairs (noise, sample) of a trained flow).
     */
    public TrainingBatch coupledBatch(Tensor x0, Tensor eps, Condition condition, GaussianNoise noise) {
        if (!java.util.Arrays.equals(x0.shape(), eps.shape())) {
            throw new IllegalArgumentException("couplings of shapes " + Tensor.describe(x0.shape()) + " and " + Tensor.describe(eps.shape()));
        }
        return batch(x0, eps, condition, noise);
    }

    private TrainingBatch batch(Tensor x0, Tensor coupled, Condition condition, GaussianNoise noise) {
        int n = x0.batchSize();
        condition.checkBatch(n);
        double[] t = new double[n];
        double[] importance = new double[n];
        if (timeSampler != null) {
            int[] steps = timeSampler.sample(n, noise, importance);
            for (int i = 0; i < n; i++) {
                t[i] = steps[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                t[i] = sampleTime(noise);
            }
        }
        Condition cond = dropLabels(condition, noise);
        Tensor eps = coupled != null ? coupled : x0.backend().randn(noise, x0.shape());
        Tensor xt = schedule.addNoise(x0, eps, t);
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            weights[i] = loss == Loss.VLB ? 0 : weighting.weight(schedule.snr(t[i]), target);
        }
        VariationalLoss vlb = loss == Loss.SIMPLE ? null : variational(x0, t, importance);
        return new TrainingBatch(xt, t, cond, regressionTarget(x0, eps, xt, t), weights, vlb);
    }

    /** The host constants of {@code L_t} for each sample ({@link VariationalLoss}). */
    private VariationalLoss variational(Tensor x0, double[] t, double[] importance) {
        DiscreteSchedule d = (DiscreteSchedule) schedule;
        int n = t.length;
        double[] meanScale = new double[n];
        double[] logSmall = new double[n];
        double[] logLarge = new double[n];
        double[] logPosterior = new double[n];
        boolean[] decoderTerm = new boolean[n];
        double[] weights = new double[n];
        double clippedSmall = Math.log(d.posterior(Math.min(1, d.trainSteps() - 1)).variance());
        for (int i = 0; i < n; i++) {
            int step = (int) t[i];
            double alpha = d.signal(t[i]);
            double sigma = d.noise(t[i]);
            // x_0 - x0_theta = k (prediction - target) for the model's parameterization
            double k = switch (target) {
                case EPSILON -> sigma / alpha;
                case V -> sigma;
                case SAMPLE -> -1;
                case SCORE -> -sigma * sigma / alpha;
                case FLOW -> throw new IllegalStateException("checked in the constructor");
            };
            Posterior posterior = d.posterior(step);
            decoderTerm[i] = step == 0;
            meanScale[i] = step == 0 ? k : posterior.coefX0() * k;
            logLarge[i] = Math.log(d.beta(step));
            logSmall[i] = step == 0 ? clippedSmall : Math.log(posterior.variance());
            logPosterior[i] = logSmall[i];
            weights[i] = loss == Loss.HYBRID ? vlbWeight * d.trainSteps() : importance[i];
        }
        boolean images = x0.shape().length > 2;
        Tensor edges = null;
        if (images) {
            float[] x = x0.toFloatArray();
            float[] e = new float[x.length];
            for (int j = 0; j < x.length; j++) {
                e[j] = x[j] <= -VariationalLoss.EDGE ? -1 : x[j] >= VariationalLoss.EDGE ? 1 : 0;
            }
            edges = x0.backend().fromHost(e, x0.shape());
        }
        return new VariationalLoss(meanScale, logSmall, logLarge, logPosterior, decoderTerm,
                images ? VariationalLoss.Decoder.DISCRETIZED : VariationalLoss.Decoder.GAUSSIAN, edges, weights, loss == Loss.HYBRID, new double[n]);
    }

    private double sampleTime(GaussianNoise noise) {
        if (schedule instanceof FlowSchedule f) {
            return f.modelTime(times.sample(noise));
        }
        if (schedule instanceof DiscreteSchedule d) {
            return noise.nextInt(d.trainSteps());
        }
        return CONTINUOUS_T_MIN + (1 - CONTINUOUS_T_MIN) * noise.nextUniform();
    }

    private Condition dropLabels(Condition condition, GaussianNoise noise) {
        if (condition.isNone() || conditionDropout == 0) {
            return condition;
        }
        int[] labels = condition.labels();
        for (int i = 0; i < labels.length; i++) {
            if (noise.nextUniform() < conditionDropout) {
                labels[i] = Condition.NULL_CLASS;
            }
        }
        return Condition.classes(labels);
    }

    private Tensor regressionTarget(Tensor x0, Tensor eps, Tensor xt, double[] t) {
        if (target == Parameterization.EPSILON) {
            return eps;
        }
        if (target == Parameterization.SAMPLE) {
            return x0;
        }
        if (target == Parameterization.FLOW) {
            return eps.linear(1, x0, -1); // the linear path's velocity d/ds ((1 - s) x_0 + s eps)
        }
        double[] alpha = new double[t.length];
        double[] sigma = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            alpha[i] = schedule.signal(t[i]);
            sigma[i] = schedule.noise(t[i]);
        }
        // The exact eps at x_t, converted to the target (v or score) in the one shared place.
        return Parameterization.EPSILON.convert(eps, target, xt, alpha, sigma);
    }
}
