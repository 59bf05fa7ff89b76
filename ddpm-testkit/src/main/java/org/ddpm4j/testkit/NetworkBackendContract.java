package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.api.training.TrainingBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend that builds networks must do beyond its tensors; extend it in the backend's
 * tests. Classifier features are what the final linear layer reads: the logit differences
 * {@code log p(k | x) - log p(0 | x) = phi(x) (w_k - w_0) + (b_k - b_0)} are then an exact affine
 * function of them, and with more samples than features a least-squares fit leaves no residual
 * (features taken one layer too early or too late, before a SiLU or after the head, leave one). The
 * EMA follows {@code ema_k = d_k ema_{k-1} + (1 - d_k) theta_k} with {@code d_k =
 * settings.emaDecayAt(k)}, read from the exported state ({@code weights/<p>}, {@code ema/<p>}).
 */
public abstract class NetworkBackendContract {
    protected TensorBackend backend;
    private NetworkBackend networks;

    /** A fresh backend that builds networks; closed after each test. */
    protected abstract TensorBackend createBackend();

    @BeforeEach
    void openBackend() {
        backend = createBackend();
        assertTrue(backend instanceof NetworkBackend, backend.name() + " must implement NetworkBackend");
        networks = (NetworkBackend) backend;
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void mlpClassifierFeaturesAreTheHeadsInput() {
        NetworkSpec spec = new NetworkSpec("classifier", new int[] {2}, 3, Parameterization.EPSILON, Parameters.of("hidden", 16, "blocks", 2));
        try (TrainableClassifier classifier = networks.newClassifier(spec, OptimizerSettings.defaults())) {
            assertEquals(16, assertLogitsAreAffineInFeatures(backend, classifier, new int[] {2}, 50, 48));
        }
    }

    @Test
    void unetClassifierFeaturesAreTheHeadsInput() {
        NetworkSpec spec = new NetworkSpec("classifier", new int[] {1, 8, 8}, 4, Parameterization.EPSILON,
                Parameters.of("channels", 8, "channel_mult", List.of(1, 2), "num_res_blocks", 1, "groups", 4));
        try (TrainableClassifier classifier = networks.newClassifier(spec, OptimizerSettings.defaults())) {
            assertEquals(16, assertLogitsAreAffineInFeatures(backend, classifier, new int[] {1, 8, 8}, 50, 40));
        }
    }

    @Test
    void theEmaDecayWarmsUpOrStaysConstantAsSet() {
        NetworkSpec spec = new NetworkSpec("mlp", new int[] {2}, 0, Parameterization.EPSILON, Parameters.of("hidden", 8, "blocks", 1));
        for (boolean warmup : new boolean[] {true, false}) {
            OptimizerSettings settings = OptimizerSettings.defaults().withEmaDecay(0.9).withEmaWarmup(warmup);
            try (TrainableDenoiser model = networks.newDenoiser(spec, settings)) {
                assertEmaFollowsItsDecay(backend, model, settings, new int[] {2}, 3);
            }
        }
    }

    @Test
    void aDenoiserBuiltWithNamedWeightsHoldsWhatImportingThemGives() {
        NetworkSpec spec = new NetworkSpec("unet", new int[] {1, 8, 8}, 0, Parameterization.EPSILON,
                Parameters.of("channels", 8, "channel_mult", List.of(1, 2), "num_res_blocks", 1, "groups", 4));
        Map<String, HostArray> weights = new java.util.LinkedHashMap<>();
        try (TrainableDenoiser source = networks.newDenoiser(spec, OptimizerSettings.defaults().withSeed(7))) {
            source.exportState().forEach((k, v) -> {
                if (k.startsWith("weights/")) {
                    weights.put(k.substring("weights/".length()), v);
                }
            });
        }
        Map<String, HostArray> state = new java.util.LinkedHashMap<>();
        weights.forEach((k, v) -> state.put("weights/" + k, v));
        try (TrainableDenoiser built = networks.newDenoiser(spec, OptimizerSettings.defaults(), named(weights));
             TrainableDenoiser imported = networks.newDenoiser(spec, OptimizerSettings.defaults())) {
            imported.importState(state);
            Map<String, HostArray> got = built.exportState();
            assertEquals(imported.exportState(), got, "weights, EMA equal to them, zero moments, step 0");
            weights.forEach((k, v) -> assertEquals(v, got.get("weights/" + k), k));
        }

        String first = weights.keySet().iterator().next();
        Map<String, HostArray> wrongShape = new java.util.LinkedHashMap<>(weights);
        wrongShape.put(first, new HostArray(new int[] {weights.get(first).data().length + 1}, new float[weights.get(first).data().length + 1]));
        String message = org.junit.jupiter.api.Assertions.assertThrows(org.ddpm4j.api.InvalidParameterException.class,
                () -> networks.newDenoiser(spec, OptimizerSettings.defaults(), named(wrongShape))).getMessage();
        assertTrue(message.contains(first) && message.contains("shape"), message);
        Map<String, HostArray> missing = new java.util.LinkedHashMap<>(weights);
        missing.remove(first);
        message = org.junit.jupiter.api.Assertions.assertThrows(org.ddpm4j.api.InvalidParameterException.class,
                () -> networks.newDenoiser(spec, OptimizerSettings.defaults(), named(missing))).getMessage();
        assertTrue(message.contains("missing [" + first + "]"), message);
    }

    private static org.ddpm4j.api.training.NamedWeights named(Map<String, HostArray> weights) {
        return new org.ddpm4j.api.training.NamedWeights() {
            @Override
            public java.util.Set<String> names() {
                return weights.keySet();
            }

            @Override
            public HostArray read(String name) {
                return weights.get(name);
            }
        };
    }

    /**
     * Asserts the property on {@code n} standard-normal inputs of shape {@code sampleShape} at time
     * {@code t}; returns the number of features.
     */
    private static int assertLogitsAreAffineInFeatures(TensorBackend backend, Classifier classifier, int[] sampleShape, double t, int n) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        double[] times = new double[n];
        Arrays.fill(times, t);
        try (TensorScope scope = backend.openScope()) {
            Tensor x = backend.randn(new GaussianNoise(17), shape);
            Tensor features = classifier.features(x, times);
            int f = features.shape()[1];
            assertEquals(2, features.shape().length, "features are [batch, F]");
            assertEquals(n, features.shape()[0], "one feature vector per sample");
            assertTrue(n > f + 1, "the check needs more samples (" + n + ") than features + 1 (" + (f + 1) + ")");
            double[] phi = features.toDoubleArray();
            double[] logP = classifier.logProbabilities(x, times).toDoubleArray();
            int k = classifier.numClasses();
            double[][] design = new double[n][f + 1];
            for (int i = 0; i < n; i++) {
                System.arraycopy(phi, i * f, design[i], 0, f);
                design[i][f] = 1;
            }
            Array2DRowRealMatrix a = new Array2DRowRealMatrix(design, false);
            DecompositionSolver solver = new QRDecomposition(a).getSolver();
            double spread = 0;
            double worst = 0;
            for (int c = 1; c < k; c++) {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = logP[i * k + c] - logP[i * k];
                }
                RealVector target = new ArrayRealVector(d, false);
                RealVector residual = a.operate(solver.solve(target)).subtract(target);
                worst = Math.max(worst, residual.getLInfNorm());
                spread = Math.max(spread, target.getLInfNorm());
            }
            assertTrue(spread > 1e-3, "the logits must vary with the input (max |difference| " + spread + ")");
            assertTrue(worst < 1e-3 * Math.max(1, spread), "logit differences must be affine in the features: residual " + worst
                    + " for differences up to " + spread);
            return f;
        }
    }

    /** Trains {@code steps} steps of a regression to zero on inputs of {@code sampleShape}, checking the EMA after each. */
    private static void assertEmaFollowsItsDecay(TensorBackend backend, TrainableDenoiser model, OptimizerSettings settings,
                                                int[] sampleShape, int steps) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = 4;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Map<String, HostArray> before = model.exportState();
        for (int k = 1; k <= steps; k++) {
            try (TensorScope scope = backend.openScope()) {
                Tensor x = backend.randn(new GaussianNoise(k), shape);
                model.trainStep(new TrainingBatch(x, new double[] {10, 200, 500, 900}, Condition.none(), backend.zeros(shape),
                        new double[] {1, 1, 1, 1}), 1e-2, k);
            }
            Map<String, HostArray> after = model.exportState();
            double d = settings.emaDecayAt(k);
            int checked = 0;
            for (String key : after.keySet()) {
                if (!key.startsWith("weights/")) {
                    continue;
                }
                String name = key.substring("weights/".length());
                float[] previous = before.get("ema/" + name).data();
                float[] theta = after.get(key).data();
                float[] ema = after.get("ema/" + name).data();
                for (int i = 0; i < ema.length; i++) {
                    assertEquals(d * previous[i] + (1 - d) * theta[i], ema[i], 1e-5 + 1e-5 * Math.abs(theta[i]),
                            "ema/" + name + "[" + i + "] after step " + k + " with decay " + d);
                }
                checked++;
            }
            assertTrue(checked > 0, "the state holds weights/<p> and ema/<p>");
            before = after;
        }
    }
}
