package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.testkit.ClassifierFeaturesContract;
import org.ddpm4j.testkit.EmaContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The testkit's network contracts: classifier features feed the head linearly; the EMA follows its decay. */
class NetworkContractsTest {
    private static DjlBackend backend;

    @BeforeAll
    static void open() {
        backend = new DjlBackend("cpu");
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void mlpClassifierFeaturesAreTheHeadsInput() {
        NetworkSpec spec = new NetworkSpec("classifier", new int[] {2}, 3, Parameterization.EPSILON, Parameters.of("hidden", 16, "blocks", 2));
        try (TrainableClassifier classifier = backend.newClassifier(spec, OptimizerSettings.defaults())) {
            assertEquals(16, ClassifierFeaturesContract.assertLogitsAreAffineInFeatures(backend, classifier, new int[] {2}, 50, 48));
        }
    }

    @Test
    void unetClassifierFeaturesAreTheHeadsInput() {
        NetworkSpec spec = new NetworkSpec("classifier", new int[] {1, 8, 8}, 4, Parameterization.EPSILON,
                Parameters.of("channels", 8, "channel_mult", java.util.List.of(1, 2), "num_res_blocks", 1, "groups", 4));
        try (TrainableClassifier classifier = backend.newClassifier(spec, OptimizerSettings.defaults())) {
            assertEquals(16, ClassifierFeaturesContract.assertLogitsAreAffineInFeatures(backend, classifier, new int[] {1, 8, 8}, 50, 40));
        }
    }

    @Test
    void theEmaDecayWarmsUpOrStaysConstantAsSet() {
        NetworkSpec spec = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.of("hidden", 8, "blocks", 1));
        for (boolean warmup : new boolean[] {true, false}) {
            OptimizerSettings settings = OptimizerSettings.defaults().withEmaDecay(0.9).withEmaWarmup(warmup);
            try (TrainableDenoiser model = backend.newDenoiser(spec, settings)) {
                EmaContract.assertEmaFollowsItsDecay(backend, model, settings, new int[] {2}, 3);
            }
        }
    }
}
