package org.ddpm4j.api.guidance;

import java.util.Objects;
import java.util.Optional;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.schedule.Schedule;

/**
 * What a {@link Guidance} may need besides the model: the schedule (for {@code alphaBar_t}) and,
 * for classifier guidance, a noisy classifier.
 */
public record GuidanceContext(Schedule schedule, Optional<Classifier> classifier) {

    public GuidanceContext {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(classifier, "classifier");
    }

    public static GuidanceContext of(Schedule schedule) {
        return new GuidanceContext(schedule, Optional.empty());
    }

    public GuidanceContext withClassifier(Classifier classifier) {
        return new GuidanceContext(schedule, Optional.of(classifier));
    }
}
