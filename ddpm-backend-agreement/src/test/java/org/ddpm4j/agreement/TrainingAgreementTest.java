package org.ddpm4j.agreement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.Trainable;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.training.Trainer;
import org.ddpm4j.core.training.TrainingListener;
import org.ddpm4j.core.training.TrainingSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training is the same computation on both backends: fresh networks of one seed start with the
 * same weights, and from the same weights the same training run (host-side batches, times and
 * noise) leaves the same losses, weights, EMA and Adam moments. Either failing makes the two
 * backends train different models from one recipe (docs/BENCHMARKS.md, "The tf backend's tight
 * modes").
 */
class TrainingAgreementTest extends OnBothBackends {

    static Stream<Arguments> denoisers() {
        return Stream.of(Arguments.of("mlp", Backends.mlp()), Arguments.of("unet", Backends.unet()));
    }

    static Stream<Arguments> allNetworks() {
        return Stream.concat(denoisers(), Stream.of(Arguments.of("point classifier", Backends.pointClassifier()),
                Arguments.of("image classifier", Backends.imageClassifier())));
    }

    /**
     * The initialisation, which layers start at zero included, is part of the network's definition:
     * with the mlp's output layer drawn at random on tf but zero on djl, the same demo recipe gave
     * C2ST 0.781 on tf against 0.510 on djl (docs/BENCHMARKS.md).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allNetworks")
    void freshNetworksOfOneSeedStartWithTheSameWeights(String name, NetworkSpec spec) {
        OptimizerSettings optimizer = OptimizerSettings.defaults().withSeed(7);
        try (Trainable djl = fresh(backends.djl, spec, optimizer); Trainable tf = fresh(backends.tf, spec, optimizer)) {
            Map<String, HostArray> a = new TreeMap<>(djl.exportState());
            Map<String, HostArray> b = new TreeMap<>(tf.exportState());
            assertEquals(a.keySet(), b.keySet());
            a.forEach((key, array) -> assertEquals(array, b.get(key), name + " " + key + ": djl vs tf"));
        }
    }

    private static Trainable fresh(NetworkBackend b, NetworkSpec spec, OptimizerSettings optimizer) {
        return spec.architecture().equals("classifier") ? b.newClassifier(spec, optimizer) : b.newDenoiser(spec, optimizer);
    }

    /**
     * Twenty AdamW steps of a v-prediction mlp with every part of the optimizer in play: warm-up and
     * cosine decay of the learning rate, decoupled weight decay, an active gradient clip and the EMA
     * with its warm-up. Float32 on both, summed in different orders: 3e-4 of each array's largest
     * value (without the weight decay on tf the losses part at the second step).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("denoisers")
    void theSameTrainingRunFromTheSameWeightsEndsTheSame(String name, NetworkSpec spec) {
        // no dropout: the backends draw their masks from different generators
        NetworkSpec v = new NetworkSpec(spec.architecture(), spec.sampleShape(), spec.numClasses(), Parameterization.V,
                spec.hyperparameters().with("dropout", 0.0));
        // Adam's epsilon 1e-4, not 1e-8: a gradient that is rounding noise on both backends (the
        // attention's key bias, to which the softmax is blind) would otherwise move a weight by a
        // whole learning rate in a direction of its own on each
        OptimizerSettings optimizer = new OptimizerSettings(0.9, 0.999, 1e-4, 0.1, 0.5, 0.9, true, 0);
        TrainingSettings settings = new TrainingSettings(20, 32, 3e-3, 5, true, 13, 0, 1);
        Objective objective = new Objective(Backends.SCHEDULE, Parameterization.V, LossWeighting.UNIFORM, 0.1);
        Map<String, HostArray> start = null;
        double[][] losses = new double[2][];
        Map<?, ?>[] states = new Map<?, ?>[2];
        int i = 0;
        for (NetworkBackend b : backends.both()) {
            try (TrainableDenoiser model = b.newDenoiser(v, optimizer)) {
                if (start == null) {
                    start = NeutralWeights.random(model.exportState(), 17);
                }
                model.importState(start);
                losses[i] = new Trainer(settings, data(spec), b, TrainingListener.NONE)
                        .trainDenoiser(model, objective, Optional.empty(), false).losses();
                states[i++] = new TreeMap<>(model.exportState());
            }
        }
        for (int k = 0; k < losses[0].length; k++) {
            assertEquals(losses[0][k], losses[1][k], 1e-4 * Math.abs(losses[0][k]), name + " loss of step " + (k + 1));
        }
        @SuppressWarnings("unchecked")
        Map<String, HostArray> djl = (Map<String, HostArray>) states[0];
        @SuppressWarnings("unchecked")
        Map<String, HostArray> tf = (Map<String, HostArray>) states[1];
        assertEquals(djl.keySet(), tf.keySet());
        for (String key : djl.keySet()) {
            float[] a = djl.get(key).data();
            float[] c = tf.get(key).data();
            double max = 0;
            double scale = 0;
            for (int j = 0; j < a.length; j++) {
                max = Math.max(max, Math.abs(a[j] - c[j]));
                scale = Math.max(scale, Math.abs(a[j]));
            }
            assertTrue(max <= 3e-4 * Math.max(scale, 1e-3), name + " " + key + ": max abs difference " + max + " (values up to " + scale + ")");
        }
        HostArray first = start.get("weights/" + (spec.architecture().equals("mlp") ? "output.weight" : "out.conv.weight"));
        assertTrue(!first.equals(djl.get("weights/" + (spec.architecture().equals("mlp") ? "output.weight" : "out.conv.weight"))),
                "training moved the weights");
    }

    private static org.ddpm4j.core.training.ArrayData data(NetworkSpec spec) {
        if (spec.sampleShape().length == 1) {
            return TrainingData2d.clusters(200, true);
        }
        int n = 40;
        int size = 64;
        float[] values = new float[n * size];
        int[] labels = new int[n];
        org.ddpm4j.api.tensor.GaussianNoise noise = new org.ddpm4j.api.tensor.GaussianNoise(4);
        for (int s = 0; s < n; s++) {
            labels[s] = s % 3;
            for (int p = 0; p < size; p++) {
                values[s * size + p] = (float) ((p % 8 < 4 ? 0.5 : -0.5) * (labels[s] - 1) + 0.1 * noise.next());
            }
        }
        return new org.ddpm4j.core.training.ArrayData(values, new int[] {1, 8, 8}, labels, 3);
    }
}
