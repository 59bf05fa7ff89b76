package org.ddpm4j.agreement;

import static org.ddpm4j.agreement.Backends.assertAgree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.training.CheckpointStore;
import org.ddpm4j.core.training.ModelCard;
import org.ddpm4j.core.training.Models;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A checkpoint written by one backend's training loads on the other and gives the same model:
 * the same state to the bit, the same 20-step DDIM samples (1e-3) and, for a classifier, the same
 * log-probabilities and gradients (1e-4).
 */
class CheckpointAgreementTest extends OnBothBackends {
    private static final TrainingSettings SETTINGS = new TrainingSettings(30, 64, 3e-3, 5, false, 11, 0, 1);

    @ParameterizedTest(name = "trained on {0}")
    @ValueSource(strings = {"djl", "tf"})
    void aDenoiserCheckpointSamplesTheSameOnBothBackends(String trainedOn, @TempDir Path dir) {
        NetworkBackend trainer = backends.named(trainedOn);
        CheckpointStore store = new CheckpointStore(dir);
        store.writeCard(ModelCard.of("denoiser", Backends.predictingX0(Backends.mlp()), Backends.SCHEDULE, trainedOn, Map.of()));
        try (TrainableDenoiser model = trainer.newDenoiser(Backends.predictingX0(Backends.mlp()), OptimizerSettings.defaults())) {
            new Trainer(SETTINGS, TrainingData2d.clusters(300, true), trainer, TrainingListener.NONE)
                    .trainDenoiser(model, new Objective(Backends.SCHEDULE, Parameterization.SAMPLE, LossWeighting.UNIFORM, 0.1),
                            Optional.of(store), false);
        }
        Map<String, HostArray> saved = new TreeMap<>(store.latest().orElseThrow().state());
        assertNotEquals(saved.get("weights/output.weight"), saved.get("ema/output.weight"), "trained: EMA lags the weights");

        Condition labels = Condition.classes(0, 1, 2, Condition.NULL_CLASS, 0, 1, 2, Condition.NULL_CLASS);
        Tensor[] samples = new Tensor[2];
        int i = 0;
        for (NetworkBackend b : backends.both()) {
            try (Models.LoadedDenoiser loaded = Models.loadDenoiser(dir, b, Backends.REGISTRY)) {
                assertEquals(saved, new TreeMap<>(loaded.network().exportState()), b.name() + " holds the checkpoint's state exactly");
                Tensor noise = b.randn(new GaussianNoise(21), labels.size(), 2);
                samples[i++] = SamplingAgreementTest.ddim().sample(loaded.ema(), noise, SampleOptions.defaults().withCondition(labels));
            }
        }
        assertAgree(samples[0], samples[1], 1e-3, "DDIM samples of a checkpoint trained on " + trainedOn + ", djl vs tf");
    }

    @ParameterizedTest(name = "trained on {0}")
    @ValueSource(strings = {"djl", "tf"})
    void aClassifierCheckpointClassifiesTheSameOnBothBackends(String trainedOn, @TempDir Path dir) {
        NetworkBackend trainer = backends.named(trainedOn);
        NetworkSpec spec = Backends.pointClassifier();
        CheckpointStore store = new CheckpointStore(dir);
        store.writeCard(ModelCard.of("classifier", spec, Backends.SCHEDULE, trainedOn, Map.of()));
        try (TrainableClassifier model = trainer.newClassifier(spec, OptimizerSettings.defaults())) {
            new Trainer(SETTINGS, TrainingData2d.clusters(300, true), trainer, TrainingListener.NONE)
                    .trainClassifier(model, Backends.SCHEDULE, Optional.of(store), false);
        }
        double[] t = {5, 250, 700, 990};
        int[] labels = {0, 1, 2, 0};
        Tensor[][] out = new Tensor[2][];
        int i = 0;
        for (NetworkBackend b : backends.both()) {
            try (Models.LoadedClassifier loaded = Models.loadClassifier(dir, b, Backends.REGISTRY)) {
                Tensor x = b.randn(new GaussianNoise(22), 4, 2);
                out[i++] = new Tensor[] {loaded.network().logProbabilities(x, t), loaded.network().logProbabilityGradient(x, t, labels)};
            }
        }
        assertAgree(out[0][0], out[1][0], 1e-4, "log-probabilities of a classifier trained on " + trainedOn);
        assertAgree(out[0][1], out[1][1], 1e-4, "their input gradient");
    }
}
