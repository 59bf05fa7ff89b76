package org.ddpm4j.examples.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.ProgressiveDistillation;
import org.ddpm4j.toolkit.sampling.BaseSampler;

/**
 * What the model card of a progressively distilled student fixes for the commands that sample it:
 * the DDIM plan it was distilled for, and the guidance built into a class-conditional student.
 */
final class DistilledStudents {
    /** The sampler options of a student of {@code steps} steps, as the commands print them. */
    static String plan(int steps) {
        return "--sampler ddim --steps " + steps + " --param timestep_spacing=trailing --param set_alpha_to_one=true --param clip_sample=false";
    }

    private DistilledStudents() {
    }

    /**
     * Refuses to sample a distilled student with any plan other than the {@code ddim} steps it was
     * distilled for ({@link ProgressiveDistillation#grid}): any other plan would ask it for steps it
     * never learned.
     */
    static void checkPlan(ModelCard card, Sampler sampler, Schedule schedule) {
        Optional<Integer> distilled = ProgressiveDistillation.distilledSteps(card);
        if (distilled.isEmpty()) {
            return;
        }
        int n = distilled.get();
        boolean same = sampler instanceof BaseSampler b && sampler.name().equals("ddim") && schedule instanceof DiscreteSchedule d
                && Arrays.equals(b.timesteps(), new ProgressiveDistillation(d).grid(n));
        if (!same) {
            throw new InvalidParameterException("--steps", sampler.name() + ", " + sampler.steps() + " steps",
                    "this model was distilled for " + n + " DDIM steps; sample it with " + plan(n));
        }
    }

    /** The classifier-free guidance scale built into a distilled class-conditional student (1: none), if it is one. */
    static Optional<Double> guidanceScale(ModelCard card) {
        return ProgressiveDistillation.distilledGuidance(card).map(g -> g.get("scale") instanceof Number w ? w.doubleValue() : 1.0);
    }

    /** Refuses guidance on top of a student that has its teacher's guidance built in. */
    static void checkNoGuidance(ModelCard card, String guidance, String option) {
        Optional<Map<?, ?>> built = ProgressiveDistillation.distilledGuidance(card);
        if (guidance != null && built.isPresent()) {
            throw new InvalidParameterException(option, guidance, "this student was distilled from its teacher guided with " + built.get()
                    + "; the guidance is built in: sample it per class (--class) without " + option);
        }
    }
}
