package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.core.config.DiffusersScheduler;
import org.ddpm4j.toolkit.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code ddpm} sampler with learned variances reproduces diffusers' DDPMScheduler (configuration
 * read as a diffusers {@code scheduler_config}) on the exact mixture denoiser with known variance
 * channels, from stored noise; the expected samples come from
 * {@code tools/diffusers-reference/generate_learned_variance_fixtures.py}. Other samplers use the
 * prediction part of such a denoiser.
 */
class LearnedVarianceTest {
    private static final Map<String, Object> FIXTURE = Json.readObject(Path.of("src/test/resources/diffusers/learned_variance.json"));

    /** The mixture's exact noise prediction with the generator's variance channels appended. */
    static final class WithVariance implements Denoiser {
        private final Denoiser mean;
        private final VarianceOutput kind;
        private final int trainSteps;
        final List<Double> calls = new ArrayList<>();

        WithVariance(Denoiser mean, VarianceOutput kind, int trainSteps) {
            this.mean = mean;
            this.kind = kind;
            this.trainSteps = trainSteps;
        }

        @Override
        public Parameterization parameterization() {
            return mean.parameterization();
        }

        @Override
        public VarianceOutput varianceOutput() {
            return kind;
        }

        @Override
        public Tensor predict(Tensor x, double[] t, Condition condition) {
            calls.add(t[0]);
            double[] xs = x.toDoubleArray();
            double[] v = new double[xs.length];
            int d = x.sampleSize();
            for (int k = 0; k < xs.length; k++) {
                double time = t[k / d];
                v[k] = kind == VarianceOutput.LEARNED_RANGE ? 0.9 * Math.tanh(xs[k]) * Math.cos(Math.PI * time / trainSteps)
                        : 0.02 * (1 + xs[k] * xs[k]) * (time + 1) / trainSteps;
            }
            return VarianceOutput.join(mean.predict(x, t, condition), x.backend().fromHost(v, x.shape()));
        }
    }

    @SuppressWarnings("unchecked")
    static Stream<Map<String, Object>> cases() {
        return ((List<Map<String, Object>>) FIXTURE.get("cases")).stream();
    }

    @SuppressWarnings("unchecked")
    private static GaussianMixture mixture() {
        return GaussianMixture.fromParameters(Parameters.of((Map<String, Object>) FIXTURE.get("mixture")));
    }

    @SuppressWarnings("unchecked")
    private static Tensor noise() {
        List<List<Number>> rows = (List<List<Number>>) FIXTURE.get("noise");
        double[] data = rows.stream().flatMap(List::stream).mapToDouble(Number::doubleValue).toArray();
        return Mixtures.BACKEND.fromHost(data, rows.size(), 2);
    }

    @SuppressWarnings("unchecked")
    private static DiffusersScheduler scheduler(String varianceType, int steps) {
        Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) FIXTURE.get("scheduler"));
        config.put("variance_type", varianceType);
        return DiffusersScheduler.read(config, "learned variance fixture", Map.of("steps", steps), Mixtures.REGISTRY);
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void reproducesDiffusersDdpmSchedulerWithLearnedVariances(Map<String, Object> c) {
        String kind = (String) c.get("variance_type");
        int steps = ((Number) c.get("steps")).intValue();
        DiffusersScheduler d = scheduler(kind, steps);
        WithVariance model = new WithVariance(new GaussianMixtureDenoiser(mixture(), d.schedule(), false),
                VarianceOutput.parse("variance_type", kind), 1000);
        Tensor x = d.sampler().sample(model, noise(), SampleOptions.defaults().withSeed(((Number) FIXTURE.get("seed")).longValue()));
        List<Number> calls = (List<Number>) c.get("calls");
        assertEquals(calls.size(), model.calls.size());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(calls.get(i).doubleValue(), model.calls.get(i), 0, "call " + i);
        }
        double[] expected = ((List<List<Number>>) c.get("samples")).stream().flatMap(List::stream).mapToDouble(Number::doubleValue).toArray();
        double[] actual = x.toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-9, kind + " at " + steps + " steps, value " + i);
        }
    }

    @Test
    void theLearnedVarianceChangesTheSamplesComparedWithFixedSmall() {
        // guards against a test that passes because the variance channels are ignored on both sides
        DiffusersScheduler learned = scheduler("learned_range", 10);
        DiffusersScheduler fixed = scheduler("fixed_small", 10);
        WithVariance model = new WithVariance(new GaussianMixtureDenoiser(mixture(), learned.schedule(), false), VarianceOutput.LEARNED_RANGE, 1000);
        double[] a = learned.sampler().sample(model, noise(), SampleOptions.defaults().withSeed(7)).toDoubleArray();
        double[] b = fixed.sampler().sample(model, noise(), SampleOptions.defaults().withSeed(7)).toDoubleArray();
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertTrue(diff > 1e-3, "learned_range and fixed_small agree to " + diff);
    }

    @Test
    void deterministicSamplersUseThePredictionPart() {
        Schedule schedule = Mixtures.linear();
        GaussianMixtureDenoiser plain = new GaussianMixtureDenoiser(mixture(), schedule, false);
        WithVariance model = new WithVariance(plain, VarianceOutput.LEARNED_RANGE, 1000);
        for (String name : List.of("ddim", "dpmsolver++", "ode")) {
            var sampler = Mixtures.REGISTRY.createSampler(name, schedule, name.equals("ode") ? Parameters.empty() : Parameters.of("steps", 10));
            double[] a = sampler.sample(model, noise(), SampleOptions.defaults()).toDoubleArray();
            double[] b = sampler.sample(plain, noise(), SampleOptions.defaults()).toDoubleArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-12, name + " value " + i);
            }
        }
    }

    @Test
    void dpmSolverAcceptsDiffusersLearnedVarianceTypes() {
        Schedule schedule = Mixtures.linear();
        GaussianMixtureDenoiser plain = new GaussianMixtureDenoiser(mixture(), schedule, false);
        WithVariance model = new WithVariance(plain, VarianceOutput.LEARNED_RANGE, 1000);
        double[] a = Mixtures.REGISTRY.createSampler("dpmsolver++", schedule, Parameters.of("steps", 10, "variance_type", "learned_range"))
                .sample(model, noise(), SampleOptions.defaults()).toDoubleArray();
        double[] b = Mixtures.REGISTRY.createSampler("dpmsolver++", schedule, Parameters.of("steps", 10))
                .sample(plain, noise(), SampleOptions.defaults()).toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-12, "value " + i);
        }
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Mixtures.REGISTRY.createSampler("dpmsolver++", schedule,
                Parameters.of("steps", 10, "variance_type", "fixed_large")));
        assertTrue(e.getMessage().contains("variance_type") && e.getMessage().contains("learned_range"), e.getMessage());
    }

    @Test
    void learnedVarianceWithoutAVarianceOutputIsAClearError() {
        DiffusersScheduler d = scheduler("learned_range", 10);
        Denoiser plain = new GaussianMixtureDenoiser(mixture(), d.schedule(), false);
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> d.sampler().sample(plain, noise(), SampleOptions.defaults()));
        assertTrue(e.getMessage().contains("variance_type") && e.getMessage().contains("learned_range")
                && e.getMessage().contains("outputs its variance"), e.getMessage());
        DiffusersScheduler learned = scheduler("learned", 10);
        WithVariance range = new WithVariance(plain, VarianceOutput.LEARNED_RANGE, 1000);
        InvalidParameterException mismatch = assertThrows(InvalidParameterException.class,
                () -> learned.sampler().sample(range, noise(), SampleOptions.defaults()));
        assertTrue(mismatch.getMessage().contains("learned_range"), mismatch.getMessage());
    }

    @Test
    void withoutAVarianceTypeDdpmSamplesWithTheModelsOwnVarianceOrFixedSmall() {
        Schedule schedule = Mixtures.linear();
        GaussianMixtureDenoiser plain = new GaussianMixtureDenoiser(mixture(), schedule, false);
        for (VarianceOutput kind : List.of(VarianceOutput.LEARNED_RANGE, VarianceOutput.LEARNED)) {
            WithVariance model = new WithVariance(plain, kind, 1000);
            double[] byDefault = Mixtures.REGISTRY.createSampler("ddpm", schedule, Parameters.of("steps", 10))
                    .sample(model, noise(), SampleOptions.defaults().withSeed(7)).toDoubleArray();
            double[] explicit = Mixtures.REGISTRY.createSampler("ddpm", schedule, Parameters.of("steps", 10, "variance_type", kind.key()))
                    .sample(model, noise(), SampleOptions.defaults().withSeed(7)).toDoubleArray();
            double[] fixed = Mixtures.REGISTRY.createSampler("ddpm", schedule, Parameters.of("steps", 10, "variance_type", "fixed_small"))
                    .sample(model, noise(), SampleOptions.defaults().withSeed(7)).toDoubleArray();
            double differsFromFixed = 0;
            for (int i = 0; i < byDefault.length; i++) {
                assertEquals(explicit[i], byDefault[i], 0, kind + " value " + i);
                differsFromFixed = Math.max(differsFromFixed, Math.abs(byDefault[i] - fixed[i]));
            }
            assertTrue(differsFromFixed > 1e-3, kind + ": the default is not fixed_small for a model with a variance output");
        }
        double[] byDefault = Mixtures.REGISTRY.createSampler("ddpm", schedule, Parameters.of("steps", 10))
                .sample(plain, noise(), SampleOptions.defaults().withSeed(7)).toDoubleArray();
        double[] fixed = Mixtures.REGISTRY.createSampler("ddpm", schedule, Parameters.of("steps", 10, "variance_type", "fixed_small"))
                .sample(plain, noise(), SampleOptions.defaults().withSeed(7)).toDoubleArray();
        for (int i = 0; i < fixed.length; i++) {
            assertEquals(fixed[i], byDefault[i], 0, "a model without a variance output: fixed_small, value " + i);
        }
    }
}
