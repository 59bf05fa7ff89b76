package org.ddpm4j.core.training;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;

/**
 * Progressive distillation (Salimans &amp; Ho 2022, Algorithm 2): a student in v-prediction learns to
 * take in one deterministic DDIM step what its teacher takes in two, so that {@code N} steps become
 * {@code N/2}; repeated with the student as the next teacher, {@code N -> N/2 -> ... -> 1}.
 *
 * <p>The steps are those of the {@code ddim} sampler with {@code timestep_spacing = trailing},
 * {@code set_alpha_to_one = true}, {@code clip_sample = false} ({@link #grid}): the grid of {@code N/2}
 * steps is every other time of the grid of {@code N}. For a student step {@code t -> t''} over the
 * teacher's {@code t -> t' -> t''}, with {@code z''} the teacher's result from {@code z_t}, the
 * student's {@code x_0} target is the one whose DDIM step lands on {@code z''}:
 * <pre>
 *   x~ = (z'' - (sigma'' / sigma_t) z_t) / (alpha'' - (sigma'' / sigma_t) alpha_t)      (x~ = z'' at the end, alpha'' = 1)
 *   v~ = (alpha_t z_t - x~) / sigma_t
 * </pre>
 * and the regression on {@code v} weighs the {@code x_0} error by {@code 1 + SNR_t} (the paper's
 * "SNR+1" weighting).
 */
public final class ProgressiveDistillation {
    /** The model card's {@code data} key holding the number of sampling steps a student was distilled for. */
    public static final String DISTILLED_STEPS = "distilled_steps";
    /**
     * The model card's {@code data} key of a class-conditional student: the guidance its teacher was
     * sampled with ({@code {"guidance": "cfg" | "none", "scale": w, "thresholding": bool}}), now built
     * into the student (Meng et al. 2023), which is sampled per class without guidance.
     */
    public static final String DISTILLED_GUIDANCE = "distilled_guidance";

    private final DiscreteSchedule schedule;

    public ProgressiveDistillation(DiscreteSchedule schedule) {
        this.schedule = schedule;
    }

    /**
     * The {@code steps} model times of the DDIM sampler with trailing spacing:
     * {@code round(T - i T / steps) - 1}, {@code i = 0..steps-1}.
     */
    public double[] grid(int steps) {
        int trainSteps = schedule.trainSteps();
        if (steps < 1 || steps > trainSteps) {
            throw new InvalidParameterException("steps", steps, "must be in [1, " + trainSteps + "]");
        }
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = Math.rint(trainSteps - i * (double) trainSteps / steps) - 1;
        }
        return t;
    }

    /**
     * The student's {@code v} target at {@code (z, t[i])} for a student of {@code studentSteps}
     * steps: index {@code j[i]} of the student's grid per sample, the teacher taking two DDIM steps of
     * the grid of {@code 2 studentSteps}.
     */
    public Tensor target(Denoiser teacher, Tensor z, int studentSteps, int[] j, Condition condition) {
        double[] fine = grid(2 * studentSteps);
        int n = z.batchSize();
        double[] t = new double[n];
        double[] mid = new double[n];
        double[] next = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = fine[2 * j[i]];
            mid[i] = fine[2 * j[i] + 1];
            next[i] = 2 * j[i] + 2 < fine.length ? fine[2 * j[i] + 2] : -1;
        }
        Tensor zMid = ddimStep(teacher, z, t, mid, condition);
        Tensor zNext = ddimStep(teacher, zMid, mid, next, condition);
        double[] a = alpha(t);
        double[] s = sigma(t);
        double[] aNext = alpha(next);
        double[] sNext = sigma(next);
        double[] cz = new double[n];
        double[] cx = new double[n];
        double[] az = new double[n];
        double[] ax = new double[n];
        for (int i = 0; i < n; i++) {
            double ratio = sNext[i] / s[i];
            double denominator = aNext[i] - ratio * a[i];
            cz[i] = -ratio / denominator;
            cx[i] = 1 / denominator;
            az[i] = a[i] / s[i];
            ax[i] = -1 / s[i];
        }
        Tensor x = z.mulPerSample(cz).add(zNext.mulPerSample(cx));
        return z.mulPerSample(az).add(x.mulPerSample(ax));
    }

    /** One DDIM step (eta = 0) of {@code model} per sample from {@code t[i]} to {@code s[i]} ({@code -1}: alphaBar = 1). */
    private Tensor ddimStep(Denoiser model, Tensor z, double[] t, double[] s, Condition condition) {
        Tensor out = model.predict(z, t, condition);
        if (model.varianceOutput() != VarianceOutput.NONE) {
            out = VarianceOutput.split(out).prediction();
        }
        double[] a = alpha(t);
        double[] sig = sigma(t);
        Tensor x0 = model.parameterization().convert(out, Parameterization.SAMPLE, z, a, sig);
        double[] aS = alpha(s);
        double[] sS = sigma(s);
        double[] cz = new double[t.length];
        double[] cx = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            cz[i] = sS[i] / sig[i];
            cx[i] = aS[i] - cz[i] * a[i];
        }
        return z.mulPerSample(cz).add(x0.mulPerSample(cx));
    }

    private double[] alpha(double[] t) {
        double[] r = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            r[i] = t[i] < 0 ? 1 : schedule.signal(t[i]);
        }
        return r;
    }

    private double[] sigma(double[] t) {
        double[] r = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            r[i] = t[i] < 0 ? 0 : schedule.noise(t[i]);
        }
        return r;
    }

    /**
     * One round: {@code student} (v-prediction) learns {@code studentSteps} steps from {@code teacher}'s
     * {@code 2 studentSteps}, trained by {@code trainer} on its data (each sample at a uniformly
     * drawn step of the student's grid), checkpointed in {@code store}.
     */
    public Trainer.Result round(Denoiser teacher, TrainableDenoiser student, int studentSteps, Trainer trainer,
                                Optional<CheckpointStore> store, boolean resume) {
        if (student.parameterization() != Parameterization.V) {
            throw new InvalidParameterException("student", student.parameterization().diffusersName(), "must predict v (v_prediction)");
        }
        double[] coarse = grid(studentSteps);
        return trainer.run(student, (x0, labels, noise, lr, seed) -> {
            int n = x0.batchSize();
            int[] j = new int[n];
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                j[i] = noise.nextInt(studentSteps);
                t[i] = coarse[j[i]];
            }
            Tensor z = schedule.addNoise(x0, x0.backend().randn(noise, x0.shape()), t);
            Tensor v = target(teacher, z, studentSteps, j, labels);
            double[] weights = new double[n];
            java.util.Arrays.fill(weights, 1);
            return student.trainStep(new TrainingBatch(z, t, labels, v, weights), lr, seed);
        }, store, resume);
    }

    /**
     * Rounds from {@code teacherSteps} down to {@code targetSteps} (both powers of two apart): round
     * {@code k} writes the student of {@code teacherSteps / 2^k} steps to {@code out/steps-M} with a
     * model card ({@code card} plus {@link #DISTILLED_STEPS}) and checkpoints; each round starts from
     * the previous student's EMA weights ({@code initial} for the first: the teacher's state when it
     * is a network of the same architecture, or a fresh network; see {@link #startingWeights}). A round whose directory already holds
     * its final checkpoint is loaded instead of trained (resume per round); with {@code resume} an
     * unfinished round continues from its newest checkpoint.
     *
     * @return the last student (the caller closes it; earlier students are closed here)
     */
    public TrainableDenoiser distill(Denoiser teacher, Supplier<TrainableDenoiser> newStudent, Optional<Map<String, HostArray>> initial,
                                     int teacherSteps, int targetSteps, Supplier<Trainer> trainer, int trainingSteps, ModelCard card,
                                     Path out, boolean resume) {
        if (targetSteps < 1 || teacherSteps <= targetSteps || teacherSteps % targetSteps != 0
                || Integer.bitCount(teacherSteps / targetSteps) != 1) {
            throw new InvalidParameterException("steps", teacherSteps + " -> " + targetSteps,
                    "must halve: the teacher's steps must be the target's times a power of two");
        }
        Denoiser current = teacher;
        Optional<Map<String, HostArray>> state = initial;
        TrainableDenoiser student = null;
        TrainableDenoiser previous = null;
        for (int steps = teacherSteps / 2; steps >= targetSteps; steps /= 2) {
            student = newStudent.get();
            state.map(ProgressiveDistillation::startingWeights).ifPresent(student::importState);
            CheckpointStore store = new CheckpointStore(out.resolve("steps-" + steps));
            Map<String, Object> facts = new LinkedHashMap<>(card.data());
            facts.put(DISTILLED_STEPS, steps);
            facts.put("teacher_steps", 2 * steps);
            facts.put(STARTED_FROM, teacherSteps);
            ModelCard roundCard = new ModelCard(card.kind(), card.spec(), card.classNames(), card.schedule(), card.backend(), facts, card.objective());
            checkSameDistillation(store, roundCard);
            Optional<CheckpointStore.Checkpoint> done = store.latest();
            if (done.isPresent() && done.get().step() >= trainingSteps) {
                student.importState(done.get().state());
            } else {
                store.writeCard(roundCard);
                round(current, student, steps, trainer.get(), Optional.of(store), resume);
            }
            if (previous != null) {
                previous.close();
            }
            previous = student;
            current = student.ema();
            state = Optional.of(student.exportState());
        }
        return student;
    }

    /**
     * The state a student starts from: the previous model's EMA weights (what was sampled as its
     * teacher) as its weights, with a fresh EMA (warmed up from step 0) and a fresh optimizer; the
     * weights themselves where a state has no EMA. A teacher's own EMA and step count would otherwise
     * hold the student's EMA near the teacher's weights, in the teacher's parameterization.
     */
    static Map<String, HostArray> startingWeights(Map<String, HostArray> state) {
        Map<String, HostArray> weights = new LinkedHashMap<>();
        for (Map.Entry<String, HostArray> e : state.entrySet()) {
            if (e.getKey().startsWith(WEIGHTS)) {
                String name = e.getKey().substring(WEIGHTS.length());
                weights.put(e.getKey(), state.getOrDefault(EMA + name, e.getValue()));
            }
        }
        return weights;
    }

    private static final String WEIGHTS = "weights/";
    private static final String EMA = "ema/";

    /** The model card's key of the step count the first teacher was sampled with. */
    static final String STARTED_FROM = "distillation_started_from_steps";

    /**
     * A round's directory that already holds a card must hold this distillation's round (the same
     * teacher data, guidance, first teacher's steps): loading or resuming a round of another
     * distillation would silently chain the wrong students.
     */
    private static void checkSameDistillation(CheckpointStore store, ModelCard card) {
        if (!java.nio.file.Files.isRegularFile(store.dir().resolve(ModelCard.FILE))) {
            return;
        }
        Map<String, Object> had = store.card().data();
        for (String key : java.util.List.of(DISTILLED_STEPS, STARTED_FROM, DISTILLED_GUIDANCE, "dataset", "file", DataFingerprint.KEY)) {
            if (!String.valueOf(had.get(key)).equals(String.valueOf(card.data().get(key)))) {
                throw new InvalidParameterException("out", store.dir().toString(), "holds a round of another distillation (" + key + " "
                        + had.get(key) + ", not " + card.data().get(key) + "); use another directory");
            }
        }
    }

    /** The guidance a distilled class-conditional student has built in ({@link #DISTILLED_GUIDANCE}), if any. */
    public static Optional<Map<?, ?>> distilledGuidance(ModelCard card) {
        Object v = card.data().get(DISTILLED_GUIDANCE);
        return v instanceof Map<?, ?> m ? Optional.of(m) : Optional.empty();
    }

    /** The steps a distilled model card says its model takes, if it is a distilled student. */
    public static Optional<Integer> distilledSteps(ModelCard card) {
        Object v = card.data().get(DISTILLED_STEPS);
        return v instanceof Number n ? Optional.of(n.intValue()) : Optional.empty();
    }
}
