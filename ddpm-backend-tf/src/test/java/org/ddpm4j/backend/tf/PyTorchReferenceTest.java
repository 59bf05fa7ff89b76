package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The networks against an independent PyTorch implementation of {@code docs/NETWORKS.md}
 * ({@code tools/networks-reference/reference.py}): the same weights, imported in the neutral format,
 * give the same outputs, log-probabilities and input gradients to 1e-4 (in practice ~1e-6), and two
 * AdamW steps with clipping and EMA give the same state.
 */
class PyTorchReferenceTest extends WithTfBackend {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "unet", "unet_three_levels"})
    void denoisersMatchPyTorch(String name) {
        ReferenceCase c = ReferenceCase.load(name);
        NetworkSpec spec = c.spec();
        try (TrainableDenoiser net = backend.newDenoiser(spec, OptimizerSettings.defaults())) {
            net.importState(c.weights());
            Tensor out = net.predict(backend.fromHost(c.get("input/x")), c.doubles("input/t"), c.condition("input/y", spec.numClasses()));
            assertClose(c.get("output/prediction"), out.toHost(), TOLERANCE, name);
            Tensor ema = net.ema().predict(backend.fromHost(c.get("input/x")), c.doubles("input/t"), c.condition("input/y", spec.numClasses()));
            assertClose(c.get("output/prediction"), ema.toHost(), TOLERANCE, name + " (EMA weights start at the weights)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classifier_mlp", "classifier_unet"})
    void classifiersAndTheirInputGradientsMatchPyTorch(String name) {
        ReferenceCase c = ReferenceCase.load(name);
        try (TrainableClassifier net = backend.newClassifier(c.spec(), OptimizerSettings.defaults())) {
            net.importState(c.weights());
            Tensor x = backend.fromHost(c.get("input/x"));
            assertClose(c.get("output/log_probabilities"), net.logProbabilities(x, c.doubles("input/t")).toHost(), TOLERANCE, name);
            assertClose(c.get("output/input_gradient"), net.logProbabilityGradient(x, c.doubles("input/t"), c.ints("input/y")).toHost(),
                    TOLERANCE, name + " gradient");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_training", "unet_training"})
    void twoAdamWStepsWithClippingAndEmaMatchPyTorch(String name) {
        ReferenceCase c = ReferenceCase.load(name);
        @SuppressWarnings("unchecked")
        Map<String, Number> o = (Map<String, Number>) c.json().get("optimizer");
        OptimizerSettings settings = new OptimizerSettings(o.get("beta1").doubleValue(), o.get("beta2").doubleValue(),
                o.get("epsilon").doubleValue(), o.get("weight_decay").doubleValue(), o.get("grad_clip").doubleValue(),
                o.get("ema_decay").doubleValue(), false, 0); // the fixture's EMA has no warm-up
        try (TrainableDenoiser net = backend.newDenoiser(c.spec(), settings)) {
            net.importState(c.weights());
            for (int step = 0; step < 2; step++) {
                String p = "train/" + step + "/";
                TrainingBatch batch = new TrainingBatch(backend.fromHost(c.get(p + "x")), c.doubles(p + "t"),
                        Condition.classes(c.ints(p + "y")), backend.fromHost(c.get(p + "target")), c.doubles(p + "weights"));
                double loss = net.trainStep(batch, c.doubles(p + "lr")[0], 0);
                assertEquals(c.doubles(p + "loss")[0], loss, 1e-6, "loss of step " + step);
            }
            Map<String, HostArray> state = net.exportState();
            assertEquals(2f, state.get("adam_step").data()[0]);
            // Adam normalises the gradient: float32 differences in small gradients show at about lr * 1e-4
            c.withPrefix("after/", "").forEach((k, expected) -> assertClose(expected, state.get(k), 1e-5, k));
        }
    }

    static void assertClose(HostArray expected, HostArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.data();
        float[] a = actual.data();
        double worst = 0;
        int at = 0;
        for (int i = 0; i < e.length; i++) {
            if (!Float.isFinite(e[i]) || !Float.isFinite(a[i])) {
                throw new AssertionError(what + ": element " + i + " is not finite: expected " + e[i] + ", was " + a[i]);
            }
            double d = Math.abs(e[i] - a[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertEquals(e[at], a[at], tolerance, what + ": largest difference " + worst + " at element " + at);
    }
}
