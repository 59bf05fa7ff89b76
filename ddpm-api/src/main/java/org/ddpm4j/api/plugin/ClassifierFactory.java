package org.ddpm4j.api.plugin;

import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;

/**
 * Builds a noisy-data {@link Classifier} for classifier guidance without a training run: an
 * analytic classifier of a known distribution, or one loaded from a file.
 */
public interface ClassifierFactory extends Factory {

    Classifier create(TensorBackend backend, Schedule schedule, Parameters parameters);

    /** A factory with its {@code examples} (see {@link Factory#examples()}). */
    static ClassifierFactory of(String name, String description, List<Map<String, Object>> examples, OnBackend<Classifier> create) {
        return new Factories.OfClassifier(name, description, create, examples);
    }
}
