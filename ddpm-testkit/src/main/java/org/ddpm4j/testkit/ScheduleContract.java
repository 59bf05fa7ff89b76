package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Posterior;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of a {@link Schedule}, applied to every example configuration
 * ({@link ScheduleFactory#examples()}) of every schedule of every {@link Plugin} that
 * {@link ServiceLoader} finds on the test class path (override {@link #schedules()} to narrow it), so
 * a schedule added to a plugin is tested without editing a test. Extend it and supply a backend for
 * the statistical check of the forward process:
 *
 * <pre>{@code
 * class MySchedulesTest extends ScheduleContract {
 *     protected TensorBackend backend() { return new JavaBackend(); }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ScheduleContract {

    /** A backend for the forward-process check. */
    protected abstract TensorBackend backend();

    /** The schedules under test: by default every schedule of every plugin on the class path. */
    protected List<ScheduleFactory> schedules() {
        List<ScheduleFactory> all = new ArrayList<>();
        for (Plugin plugin : ServiceLoader.load(Plugin.class)) {
            all.addAll(plugin.schedules());
        }
        return all;
    }

    /** A schedule built from one example configuration of its factory, named for the report. */
    public record Example(ScheduleFactory factory, Map<String, Object> parameters) {
        Schedule schedule() {
            return factory.create(Parameters.of(parameters));
        }
    }

    Stream<Named<Example>> examples() {
        return schedules().stream().flatMap(f -> f.examples().stream().map(p -> Named.of(f.name() + " " + p, new Example(f, p))));
    }

    /** Times to check: every step of a discrete schedule, a fine grid of a continuous one. */
    protected double[] times(Schedule s) {
        if (s instanceof DiscreteSchedule d) {
            double[] t = new double[d.trainSteps()];
            for (int i = 0; i < t.length; i++) {
                t[i] = i;
            }
            return t;
        }
        double[] t = new double[1001];
        for (int i = 0; i < t.length; i++) {
            t[i] = s.tMin() + (s.tMax() - s.tMin()) * i / 1000.0;
        }
        return t;
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void betasLieStrictlyBetweenZeroAndOne(Example example) {
        Schedule s = example.schedule();
        if (s instanceof DiscreteSchedule d) {
            int last = d.trainSteps() - 1;
            for (int t = 0; t <= last; t++) {
                double b = d.beta(t);
                boolean terminal = t == last && d.zeroTerminalSnr();
                assertTrue(b > 0 && (b < 1 || terminal && b == 1), "beta_" + t + " = " + b + " must lie in (0, 1)");
            }
        } else if (s instanceof ContinuousSchedule c) {
            for (double t : times(s)) {
                assertTrue(c.beta(t) > 0 && Double.isFinite(c.beta(t)), "beta(" + t + ") = " + c.beta(t) + " must be > 0");
            }
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void alphaBarDecreasesStrictlyFromBelowOne(Example example) {
        Schedule s = example.schedule();
        double[] t = times(s);
        double previous = s instanceof DiscreteSchedule ? 1.0 : Double.POSITIVE_INFINITY;
        for (int i = 0; i < t.length; i++) {
            double ab = s.alphaBar(t[i]);
            assertTrue(ab >= 0 && ab <= 1, "alphaBar(" + t[i] + ") = " + ab + " outside [0, 1]");
            assertTrue(ab < previous, "alphaBar must decrease strictly: alphaBar(" + t[i] + ") = " + ab + " >= " + previous);
            previous = ab;
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void alphaBarIsTheProductOfOneMinusBeta(Example example) {
        Schedule s = example.schedule();
        if (s instanceof DiscreteSchedule d) {
            double product = 1;
            for (int t = 0; t < d.trainSteps(); t++) {
                product *= 1 - d.beta(t);
                assertEquals(product, d.alphaBar(t), 1e-12 * Math.max(product, 1e-300) + 1e-300, "alphaBar_" + t);
                assertEquals(1 - d.beta(t), d.alpha(t), 1e-15, "alpha_" + t);
            }
        } else if (s instanceof ContinuousSchedule c) {
            // alphaBar(t) = exp(-integral_0^t beta): Simpson's rule on a fine grid.
            for (double t : new double[] {0.1, 0.5, 1.0}) {
                int n = 2000;
                double h = t / n;
                double integral = c.beta(0) + c.beta(t);
                for (int i = 1; i < n; i++) {
                    integral += (i % 2 == 1 ? 4 : 2) * c.beta(i * h);
                }
                integral *= h / 3;
                assertEquals(Math.exp(-integral), c.alphaBar(t), 1e-9, "alphaBar(" + t + ")");
            }
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void derivedQuantitiesAreConsistent(Example example) {
        Schedule s = example.schedule();
        for (double t : times(s)) {
            double ab = s.alphaBar(t);
            if (ab == 0 || ab == 1) {
                continue;
            }
            assertEquals(Math.sqrt(ab), s.signal(t), 1e-12);
            assertEquals(Math.sqrt(1 - ab), s.noise(t), 1e-12);
            assertEquals(1.0, s.signal(t) * s.signal(t) + s.noise(t) * s.noise(t), 1e-12, "alpha^2 + sigma^2 = 1 (variance preserving)");
            assertEquals(Math.sqrt((1 - ab) / ab), s.sigma(t), 1e-9 * s.sigma(t));
            assertEquals(ab / (1 - ab), s.snr(t), 1e-9 * s.snr(t));
            assertEquals(-2 * Math.log(s.sigma(t)), s.logSnr(t), 1e-9 * Math.max(1, Math.abs(s.logSnr(t))));
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void timeAtSigmaInvertsSigma(Example example) {
        Schedule s = example.schedule();
        double[] t = times(s);
        for (int i = 0; i < t.length; i += Math.max(1, t.length / 97)) {
            double sigma = s.sigma(t[i]);
            if (!Double.isFinite(sigma)) {
                continue;
            }
            assertEquals(t[i], s.timeAtSigma(sigma), 1e-6 * Math.max(1, Math.abs(t[i])), "timeAtSigma(sigma(" + t[i] + "))");
            if (i + 1 < t.length && Double.isFinite(s.sigma(t[i + 1]))) {
                double mid = 0.5 * (t[i] + t[i + 1]);
                assertEquals(mid, s.timeAtSigma(s.sigma(mid)), 1e-6 * Math.max(1, Math.abs(mid)), "timeAtSigma(sigma(" + mid + "))");
            }
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void posteriorMatchesTheClosedFormAndTheMarginals(Example example) {
        Schedule s = example.schedule();
        double[] t = times(s);
        for (int i = 1; i < t.length; i++) {
            double abS = s.alphaBar(t[i - 1]);
            double abT = s.alphaBar(t[i]);
            if (abT == 0) {
                continue;
            }
            Posterior p = s instanceof DiscreteSchedule d ? d.posterior((int) t[i]) : s.posterior(t[i - 1], t[i]);
            double beta = 1 - abT / abS;
            // Ho et al. eq. 7.
            assertEquals((1 - abS) / (1 - abT) * beta, p.variance(), 1e-12, "betaTilde at t = " + t[i]);
            assertEquals(Math.sqrt(abS) * beta / (1 - abT), p.coefX0(), 1e-12, "x0 coefficient at t = " + t[i]);
            assertEquals(Math.sqrt(1 - beta) * (1 - abS) / (1 - abT), p.coefXt(), 1e-12, "x_t coefficient at t = " + t[i]);
            // Averaging the posterior over x_t ~ q(x_t | x0) must give back q(x_s | x0).
            assertEquals(Math.sqrt(abS), p.coefX0() + p.coefXt() * Math.sqrt(abT), 1e-10, "mean of q(x_s | x0) at t = " + t[i]);
            assertEquals(1 - abS, p.coefXt() * p.coefXt() * (1 - abT) + p.variance(), 1e-10, "variance of q(x_s | x0) at t = " + t[i]);
        }
        if (s instanceof DiscreteSchedule d) {
            Posterior first = d.posterior(0);
            assertEquals(1.0, first.coefX0(), 1e-12, "at t = 0 the posterior is x_0 itself");
            assertEquals(0.0, first.variance(), 1e-12);
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void forwardProcessHasTheRightMoments(Example example) {
        Schedule s = example.schedule();
        TensorBackend backend = backend();
        int n = 4000;
        int d = 4;
        double[] x0Values = {-1.5, -0.2, 0.7, 2.0};
        double[] x0 = new double[n * d];
        for (int i = 0; i < n * d; i++) {
            x0[i] = x0Values[i % d];
        }
        double[] t = times(s);
        for (double time : new double[] {t[0], t[t.length / 2], t[t.length - 1]}) {
            double ab = s.alphaBar(time);
            Tensor x = backend.fromHost(x0, n, d);
            Tensor eps = backend.randn(new GaussianNoise(1234), n, d);
            double[] xt = s.addNoise(x, eps, time).toDoubleArray();
            List<Double> standardized = new ArrayList<>();
            for (int j = 0; j < d; j++) {
                double mean = 0;
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    mean += xt[i * d + j];
                }
                mean /= n;
                for (int i = 0; i < n; i++) {
                    double r = xt[i * d + j] - mean;
                    sq += r * r;
                }
                double variance = sq / (n - 1);
                double expectedMean = Math.sqrt(ab) * x0Values[j];
                double expectedVariance = 1 - ab;
                // Five standard errors: fails for a wrong coefficient, not by chance.
                assertEquals(expectedMean, mean, 5 * Math.sqrt(expectedVariance / n) + 1e-6, "mean of x_t at t = " + time);
                assertEquals(expectedVariance, variance, 5 * expectedVariance * Math.sqrt(2.0 / (n - 1)) + 1e-6, "variance of x_t at t = " + time);
                if (expectedVariance > 1e-6) {
                    for (int i = 0; i < n; i++) {
                        standardized.add((xt[i * d + j] - expectedMean) / Math.sqrt(expectedVariance));
                    }
                }
            }
            if (!standardized.isEmpty()) {
                double[] z = standardized.stream().mapToDouble(Double::doubleValue).toArray();
                double p = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new NormalDistribution(null, 0, 1), z);
                assertTrue(p > 1e-3, "x_t is not Gaussian with the schedule's moments at t = " + time + " (KS p = " + p + ")");
            }
        }
    }

    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("examples")
    public void configurationRoundTripRebuildsTheSameSchedule(Example example) {
        Schedule s = example.schedule();
        Schedule rebuilt = example.factory().create(s.parameters());
        assertEquals(s.name(), rebuilt.name());
        assertEquals(example.factory().name(), s.name(), "the schedule reports the name of the factory that builds it");
        for (double t : times(s)) {
            assertEquals(s.alphaBar(t), rebuilt.alphaBar(t), 0.0, "alphaBar(" + t + ") after the round trip");
        }
    }
}
