package org.ddpm4j.spark;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.metrics.EvaluationClassifier;
import org.ddpm4j.core.pipeline.ModelSource;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.PipelineParts;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.plugin.PluginRegistry;

/**
 * An evaluation classifier loaded on an executor through the composition root, as {@code ddpm eval}
 * loads its judge: on a pipeline's backend, at the schedule it was trained with, released with the pipeline.
 */
final class LoadedJudge implements AutoCloseable {
    private final Pipeline pipeline;
    private final EvaluationClassifier judge;

    private LoadedJudge(Pipeline pipeline, EvaluationClassifier judge) {
        this.pipeline = pipeline;
        this.judge = judge;
    }

    static LoadedJudge load(JudgeRef ref) {
        PluginRegistry registry = PluginRegistry.load();
        ModelSource source = ModelSource.parse("--classifier", ref.classifier());
        if (!source.card().kind().equals("classifier")) {
            throw new InvalidParameterException("--classifier", ref.classifier(), "holds a " + source.card().kind() + ", not a classifier");
        }
        PipelineParts parts = PipelineParts.none().schedule(source.schedule(registry).orElseThrow());
        Pipeline pipeline = Pipelines.build(PipelineConfig.of(new ComponentConfig(ref.backend(), ref.backendParameters())), registry, parts);
        try {
            return new LoadedJudge(pipeline, new EvaluationClassifier(pipeline.classifier(source)));
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    TensorBackend backend() {
        return pipeline.backend();
    }

    EvaluationClassifier judge() {
        return judge;
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
