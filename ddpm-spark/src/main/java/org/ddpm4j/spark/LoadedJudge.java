package org.ddpm4j.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.core.model.ModelSources;
import org.ddpm4j.core.plugin.PluginRegistry;

/** An evaluation classifier loaded on an executor with its backend, as {@code ddpm eval} loads its judge. */
final class LoadedJudge implements AutoCloseable {
    private final TensorBackend backend;
    private final EvaluationClassifier judge;
    private final Map<String, AutoCloseable> open;

    private LoadedJudge(TensorBackend backend, EvaluationClassifier judge, Map<String, AutoCloseable> open) {
        this.backend = backend;
        this.judge = judge;
        this.open = open;
    }

    static LoadedJudge load(JudgeRef ref) {
        PluginRegistry registry = PluginRegistry.load();
        ModelSources.Spec spec = ModelSources.parse("--classifier", ref.classifier());
        if (!spec.card().kind().equals("classifier")) {
            throw new InvalidParameterException("--classifier", ref.classifier(), "holds a " + spec.card().kind() + ", not a classifier");
        }
        Schedule schedule = spec.schedule(registry).orElseThrow();
        TensorBackend backend = registry.createBackend(ref.backend(), Parameters.of(ref.backendParameters()));
        Map<String, AutoCloseable> open = new LinkedHashMap<>();
        try {
            return new LoadedJudge(backend, new EvaluationClassifier(spec.classifier(registry, backend, schedule, open)), open);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    TensorBackend backend() {
        return backend;
    }

    EvaluationClassifier judge() {
        return judge;
    }

    @Override
    public void close() {
        try (backend) {
            for (AutoCloseable c : open.values()) {
                c.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot release the evaluation classifier", e);
        }
    }
}
