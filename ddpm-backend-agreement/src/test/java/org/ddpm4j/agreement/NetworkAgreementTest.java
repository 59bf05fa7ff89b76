package org.ddpm4j.agreement;

import static org.ddpm4j.agreement.Backends.assertAgree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.Trainable;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same neutral weights give the same outputs on DJL and TensorFlow (docs/NETWORKS.md): the
 * state exported by one backend is imported by the other and both predict to 1e-4 (max abs), for
 * the mlp, the unet (class embedding, two-head attention) and the classifiers (log-probabilities
 * and their input gradient).
 */
class NetworkAgreementTest extends OnBothBackends {
    private static final double TOLERANCE = 1e-4;
    private static final int BATCH = 4;
    private static final double[] TIMES = {0, 17, 503, 999};
    private static final Condition LABELS = Condition.classes(0, 2, Condition.NULL_CLASS, 1);
    static Stream<Arguments> denoisers() {
        return Stream.of(Arguments.of("mlp", Backends.mlp()), Arguments.of("unet", Backends.unet()));
    }

    static Stream<Arguments> classifiers() {
        return Stream.of(Arguments.of("points", Backends.pointClassifier()), Arguments.of("images", Backends.imageClassifier()));
    }

    static Stream<Arguments> allNetworks() {
        return Stream.concat(denoisers(), classifiers());
    }

    /** Names, shapes and the set of state keys are the same on both backends before any weight moves. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allNetworks")
    void bothBackendsExportTheSameNamesAndShapes(String name, NetworkSpec spec) {
        try (Trainable djl = build(backends.djl, spec); Trainable tf = build(backends.tf, spec)) {
            Map<String, HostArray> a = new TreeMap<>(djl.exportState());
            Map<String, HostArray> b = new TreeMap<>(tf.exportState());
            assertEquals(a.keySet(), b.keySet());
            a.forEach((key, array) -> assertArrayEquals(array.shape(), b.get(key).shape(), key));
            assertEquals(djl.parameterCount(), tf.parameterCount());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("denoisers")
    void denoisersAgreeWhicheverBackendExports(String name, NetworkSpec spec) {
        Tensor[] x = noise(spec, 11);
        for (NetworkBackend from : backends.both()) {
            NetworkBackend to = backends.other(from);
            try (TrainableDenoiser source = from.newDenoiser(spec, OptimizerSettings.defaults());
                 TrainableDenoiser target = to.newDenoiser(spec, OptimizerSettings.defaults().withSeed(99))) {
                source.importState(NeutralWeights.random(source.exportState(), 5));
                target.importState(source.exportState());
                String what = name + " " + from.name() + " -> " + to.name();
                assertAgree(source.predict(x[index(from)], TIMES, LABELS), target.predict(x[index(to)], TIMES, LABELS), TOLERANCE, what);
                assertAgree(source.ema().predict(x[index(from)], TIMES, LABELS), target.ema().predict(x[index(to)], TIMES, LABELS),
                        TOLERANCE, what + " (EMA)");
                assertEquals(new TreeMap<>(source.exportState()), new TreeMap<>(target.exportState()), what + ": state round trip is exact");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("classifiers")
    void classifiersAgreeOnLogProbabilitiesAndTheirGradient(String name, NetworkSpec spec) {
        Tensor[] x = noise(spec, 12);
        int[] labels = {0, 1, 2, 1};
        for (NetworkBackend from : backends.both()) {
            NetworkBackend to = backends.other(from);
            try (TrainableClassifier source = from.newClassifier(spec, OptimizerSettings.defaults());
                 TrainableClassifier target = to.newClassifier(spec, OptimizerSettings.defaults().withSeed(99))) {
                source.importState(NeutralWeights.random(source.exportState(), 6));
                target.importState(source.exportState());
                String what = name + " classifier " + from.name() + " -> " + to.name();
                assertAgree(source.logProbabilities(x[index(from)], TIMES), target.logProbabilities(x[index(to)], TIMES), TOLERANCE, what);
                assertAgree(source.logProbabilityGradient(x[index(from)], TIMES, labels),
                        target.logProbabilityGradient(x[index(to)], TIMES, labels), TOLERANCE, what + " gradient");
            }
        }
    }

    private static Trainable build(NetworkBackend backend, NetworkSpec spec) {
        return spec.architecture().equals("classifier") ? backend.newClassifier(spec, OptimizerSettings.defaults())
                : backend.newDenoiser(spec, OptimizerSettings.defaults());
    }

    private int index(NetworkBackend b) {
        return b == backends.djl ? 0 : 1;
    }

    /** The same host noise as an input tensor on each backend: {djl, tf}. */
    private static Tensor[] noise(NetworkSpec spec, long seed) {
        int[] shape = Backends.batchShape(spec, BATCH);
        return new Tensor[] {backends.djl.randn(new GaussianNoise(seed), shape), backends.tf.randn(new GaussianNoise(seed), shape)};
    }
}
