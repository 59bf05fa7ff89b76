package org.ddpm4j.guidance;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureClassifier;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.schedules.LinearSchedule;
import org.junit.jupiter.api.Test;

/**
 * Guidance at the level of one prediction, against closed forms: with the exact mixture denoiser
 * and classifier, both methods at scale 1 are the exact conditional denoiser.
 */
class GuidanceTest {
    private final JavaBackend backend = new JavaBackend();
    private final DiscreteSchedule schedule = LinearSchedule.create(Parameters.empty());
    private final GaussianMixture mixture = new GaussianMixture(new double[] {0.5, 0.3, 0.2},
            new double[][] {{-2, 0}, {2, 1}, {0, -2}}, new double[] {0.5, 0.4, 0.6});
    private final Denoiser conditional = new GaussianMixtureDenoiser(mixture, schedule, true);
    private final Denoiser unconditional = new GaussianMixtureDenoiser(mixture, schedule, false);
    private final GuidanceContext context = GuidanceContext.of(schedule).withClassifier(new GaussianMixtureClassifier(mixture, schedule));
    private final Tensor x = backend.randn(new GaussianNoise(5), 6, 2).mul(1.5);
    private final double[] t = {10, 100, 300, 500, 700, 950};
    private final Condition y = Condition.classes(0, 1, 2, 2, 1, 0);

    private static Parameters scale(double s) {
        return Parameters.of("scale", s);
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), "element " + i);
        }
    }

    @Test
    void cfgAtScaleOneIsTheConditionalModelAndAtZeroTheUnconditional() {
        Denoiser one = new ClassifierFreeGuidance(scale(1)).guide(conditional, context);
        assertClose(conditional.predict(x, t, y), one.predict(x, t, y), 1e-12);
        Denoiser zero = new ClassifierFreeGuidance(scale(0)).guide(conditional, context);
        assertClose(unconditional.predict(x, t, Condition.none()), zero.predict(x, t, y), 1e-12);
    }

    @Test
    void cfgExtrapolatesLinearlyInOneBatchedForward() {
        AtomicInteger calls = new AtomicInteger();
        Denoiser counting = new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return conditional.parameterization();
            }

            @Override
            public Tensor predict(Tensor in, double[] times, Condition c) {
                calls.incrementAndGet();
                assertEquals(2 * x.batchSize(), in.batchSize(), "conditional and unconditional halves in one batch");
                return conditional.predict(in, times, c);
            }

            @Override
            public int numClasses() {
                return conditional.numClasses();
            }
        };
        Tensor guided = new ClassifierFreeGuidance(scale(4)).guide(counting, context).predict(x, t, y);
        assertEquals(1, calls.get());
        Tensor c = conditional.predict(x, t, y);
        Tensor u = unconditional.predict(x, t, Condition.none());
        assertClose(u.add(c.sub(u).mul(4)), guided, 1e-12);
    }

    @Test
    void cfgGivesTheSameResultForEpsilonX0AndVModels() {
        Tensor reference = new ClassifierFreeGuidance(scale(3)).guide(conditional, context).predict(x, t, y);
        for (Parameterization p : new Parameterization[] {Parameterization.SAMPLE, Parameterization.V}) {
            Denoiser model = conditional.as(p, schedule);
            Tensor guided = new ClassifierFreeGuidance(scale(3)).guide(model, context).predict(x, t, y);
            assertEquals(p, new ClassifierFreeGuidance(scale(3)).guide(model, context).parameterization());
            Tensor asEpsilon = model.as(Parameterization.EPSILON, schedule).predict(x, t, y); // sanity: conversions are exact
            assertClose(conditional.predict(x, t, y), asEpsilon, 1e-9);
            double[] alpha = java.util.Arrays.stream(t).map(schedule::signal).toArray();
            double[] sigma = java.util.Arrays.stream(t).map(schedule::noise).toArray();
            assertClose(reference, p.convert(guided, Parameterization.EPSILON, x, alpha, sigma), 1e-9);
        }
    }

    @Test
    void classifierGuidanceAtScaleOneIsTheConditionalModel() {
        Denoiser guided = new ClassifierGuidance(scale(1)).guide(unconditional, context);
        assertClose(conditional.predict(x, t, y), guided.predict(x, t, y), 1e-10);
        assertEquals(3, guided.numClasses());
    }

    @Test
    void bothMethodsAgreeAtScaleOne() {
        Tensor cfg = new ClassifierFreeGuidance(scale(1)).guide(conditional, context).predict(x, t, y);
        Tensor classifier = new ClassifierGuidance(scale(1)).guide(unconditional, context).predict(x, t, y);
        assertClose(cfg, classifier, 1e-10);
    }

    @Test
    void theMeanShiftFormMovesTheAncestralMeanBySigmaTimesTheGradient() {
        double s = 2.5;
        int step = 400;
        Tensor xs = x.slice(0, 1);
        double[] time = {step};
        Condition c = Condition.classes(1);
        Tensor eps = unconditional.predict(xs, time, Condition.none());
        Tensor shifted = new ClassifierGuidance(Parameters.of("scale", s, "form", "mean_shift")).guide(unconditional, context)
                .predict(xs, time, c);
        double beta = schedule.beta(step);
        double alpha = schedule.alpha(step);
        double alphaBar = schedule.alphaBar(step);
        // Ho et al.'s ancestral mean from eps: (x - beta / sqrt(1 - alphaBar) eps) / sqrt(alpha)
        Tensor mean = xs.linear(1 / Math.sqrt(alpha), eps, -beta / Math.sqrt(1 - alphaBar) / Math.sqrt(alpha));
        Tensor guidedMean = xs.linear(1 / Math.sqrt(alpha), shifted, -beta / Math.sqrt(1 - alphaBar) / Math.sqrt(alpha));
        Posterior posterior = schedule.posterior(step);
        Tensor gradient = new GaussianMixtureClassifier(mixture, schedule).logProbabilityGradient(xs, time, new int[] {1});
        assertClose(mean.add(gradient.mul(s * posterior.variance())), guidedMean, 1e-10);
    }

    @Test
    void largerScalesPointTheDenoisingDirectionMoreTowardTheClass() {
        // -eps~ is the direction a sampler moves x_t in; its rate of increase of log p(y | x_t) is
        // sigma * grad log p(y|x) . (grad log q(x) + w grad log p(y|x)): strictly increasing in w.
        Tensor gradient = new GaussianMixtureClassifier(mixture, schedule).logProbabilityGradient(x, t, new int[] {1, 1, 1, 1, 1, 1});
        double previous = Double.NEGATIVE_INFINITY;
        for (double w : new double[] {0, 1, 2, 4, 8}) {
            Tensor eps = new ClassifierFreeGuidance(scale(w)).guide(conditional, context).predict(x, t, Condition.repeat(1, 6));
            double rate = gradient.mul(eps.neg()).sum();
            assertTrue(rate > previous, "scale " + w + ": rate " + rate + " > " + previous);
            previous = rate;
        }
    }

    @Test
    void rescaleMatchesTheConditionalStandardDeviation() {
        Tensor c = conditional.predict(x, t, y);
        Tensor full = new ClassifierFreeGuidance(Parameters.of("scale", 7.0, "guidance_rescale", 1.0)).guide(conditional, context).predict(x, t, y);
        double[] sc = stdPerSample(c);
        double[] sf = stdPerSample(full);
        for (int i = 0; i < sc.length; i++) {
            assertEquals(sc[i], sf[i], 1e-9);
        }
    }

    @Test
    void intervalGuidanceIsNeutralOutsideTheInterval() {
        Denoiser interval = new ClassifierFreeGuidance(Parameters.of("scale", 5.0, "interval", java.util.List.of(200, 600)))
                .guide(conditional, context);
        Tensor guided = interval.predict(x, t, y);
        Tensor plain = conditional.predict(x, t, y);
        Tensor full = new ClassifierFreeGuidance(scale(5)).guide(conditional, context).predict(x, t, y);
        double[] g = guided.toDoubleArray();
        for (int i = 0; i < t.length; i++) {
            Tensor expected = t[i] >= 200 && t[i] <= 600 ? full : plain;
            assertEquals(expected.toDoubleArray()[2 * i], g[2 * i], 1e-12, "t = " + t[i]);
        }
    }

    @Test
    void dynamicThresholdingKeepsTheImpliedX0InRange() {
        Tensor eps = new ClassifierFreeGuidance(Parameters.of("scale", 20.0, "thresholding", true, "dynamic_thresholding_ratio", 0.9))
                .guide(conditional, context).predict(x, t, y);
        double[] x0 = Parameterization.EPSILON.convert(eps, Parameterization.SAMPLE, x,
                java.util.Arrays.stream(t).map(schedule::signal).toArray(), java.util.Arrays.stream(t).map(schedule::noise).toArray())
                .toDoubleArray();
        for (double v : x0) {
            assertTrue(Math.abs(v) <= 1 + 1e-9, "|x0| <= 1 after thresholding, got " + v);
        }
    }

    @Test
    void badInputFailsBeforeSampling() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> new ClassifierFreeGuidance(scale(2)).guide(unconditional, context));
        assertTrue(e.getMessage().contains("class-conditional"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> new ClassifierFreeGuidance(scale(-1)));
        assertTrue(e.getMessage().contains("scale") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(InvalidParameterException.class,
                () -> new ClassifierGuidance(scale(1)).guide(unconditional, GuidanceContext.of(schedule)));
        assertTrue(e.getMessage().contains("needs a noisy classifier"), e.getMessage());
        GaussianMixture two = new GaussianMixture(new double[] {1, 1}, new double[][] {{0, 0}, {1, 1}}, new double[] {1, 1});
        e = assertThrows(InvalidParameterException.class, () -> new ClassifierGuidance(scale(1)).guide(conditional,
                GuidanceContext.of(schedule).withClassifier(new GaussianMixtureClassifier(two, schedule))));
        assertTrue(e.getMessage().contains("must have the model's 3 classes"), e.getMessage());
        Denoiser guided = new ClassifierFreeGuidance(scale(2)).guide(conditional, context);
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> guided.predict(x, t, Condition.repeat(3, 6)));
        assertTrue(out.getMessage().contains("class 3 out of range [0, 2]"), out.getMessage());
        assertThrows(IllegalArgumentException.class, () -> guided.predict(x, t, Condition.none()));
    }

    @Test
    void classifierGradientMatchesFiniteDifferences() {
        GaussianMixtureClassifier classifier = new GaussianMixtureClassifier(mixture, schedule);
        double[] point = {0.3, -0.4};
        double[] time = {250};
        double h = 1e-6;
        double[] grad = classifier.logProbabilityGradient(backend.fromHost(point, 1, 2), time, new int[] {2}).toDoubleArray();
        for (int j = 0; j < 2; j++) {
            double[] plus = point.clone();
            double[] minus = point.clone();
            plus[j] += h;
            minus[j] -= h;
            double lp = classifier.logProbabilities(backend.fromHost(plus, 1, 2), time).toDoubleArray()[2];
            double lm = classifier.logProbabilities(backend.fromHost(minus, 1, 2), time).toDoubleArray()[2];
            assertEquals((lp - lm) / (2 * h), grad[j], 1e-6);
        }
    }

    private static double[] stdPerSample(Tensor t) {
        double[] v = t.toDoubleArray();
        int d = t.sampleSize();
        double[] s = new double[t.batchSize()];
        for (int i = 0; i < s.length; i++) {
            double m = 0;
            for (int j = 0; j < d; j++) {
                m += v[i * d + j];
            }
            m /= d;
            double q = 0;
            for (int j = 0; j < d; j++) {
                q += (v[i * d + j] - m) * (v[i * d + j] - m);
            }
            s[i] = Math.sqrt(q / (d - 1));
        }
        return s;
    }

    /** The conditional mixture denoiser with a variance output that depends on the class: v = tanh(x) / (1 + label). */
    private Denoiser withVariance() {
        return new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return conditional.parameterization();
            }

            @Override
            public Tensor predict(Tensor in, double[] times, Condition c) {
                double[] xs = in.toDoubleArray();
                double[] v = new double[xs.length];
                int d = in.sampleSize();
                for (int k = 0; k < xs.length; k++) {
                    v[k] = Math.tanh(xs[k]) / (2 + c.labels()[k / d]);   // the null class (-1) differs from every class
                }
                return org.ddpm4j.api.model.VarianceOutput.join(conditional.predict(in, times, c), in.backend().fromHost(v, in.shape()));
            }

            @Override
            public org.ddpm4j.api.model.VarianceOutput varianceOutput() {
                return org.ddpm4j.api.model.VarianceOutput.LEARNED_RANGE;
            }

            @Override
            public int numClasses() {
                return conditional.numClasses();
            }
        };
    }

    @Test
    void cfgOfALearnedVarianceModelGuidesThePredictionAndKeepsTheConditionalVariance() {
        Denoiser model = withVariance();
        for (Parameters p : List.of(scale(3), Parameters.of("scale", 3, "thresholding", true))) {
            Denoiser guided = new ClassifierFreeGuidance(p).guide(model, context);
            assertEquals(org.ddpm4j.api.model.VarianceOutput.LEARNED_RANGE, guided.varianceOutput());
            org.ddpm4j.api.model.VarianceOutput.Split out = org.ddpm4j.api.model.VarianceOutput.split(guided.predict(x, t, y));
            assertClose(org.ddpm4j.api.model.VarianceOutput.split(model.predict(x, t, y)).variance(), out.variance(), 0);
            Denoiser plain = new ClassifierFreeGuidance(p).guide(conditional, context);
            assertClose(plain.predict(x, t, y), out.prediction(), 1e-12);
        }
    }

    @Test
    void classifierGuidanceOfALearnedVarianceModelIsAClearError() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ClassifierGuidance(scale(1)).guide(withVariance(), context));
        assertTrue(e.getMessage().contains("learned variance") && e.getMessage().contains("classifier-free guidance (cfg)"), e.getMessage());
    }
}
