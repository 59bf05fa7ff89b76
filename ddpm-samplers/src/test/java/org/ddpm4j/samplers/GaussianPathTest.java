package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.path.GaussianPath;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The paths and the conversions between predictions, against closed forms. */
class GaussianPathTest {
    private static final Tensor X0 = Mixtures.BACKEND.randn(new GaussianNoise(3), 5, 2);
    private static final Tensor EPS = Mixtures.BACKEND.randn(new GaussianNoise(4), 5, 2);

    private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " [" + i + "]");
        }
    }

    /** Every kind of exact prediction at a point of {@code path} at time t, from x_0 and eps (the VP definitions). */
    private static Tensor prediction(Parameterization kind, GaussianPath path, double t) {
        double s = path.scale(t);
        double alpha = path.signal(t) / s;
        double sigma = path.noise(t) / s;
        return switch (kind) {
            case EPSILON -> EPS;
            case SAMPLE -> X0;
            case V -> EPS.linear(alpha, X0, -sigma);
            case SCORE -> EPS.mul(-1 / sigma);
            case FLOW -> EPS.linear(1, X0, -1);
        };
    }

    private static void checkPath(GaussianPath path, double t, Tensor closedFormVelocity) {
        Tensor x = path.addNoise(X0, EPS, new double[] {t, t, t, t, t});
        assertClose(closedFormVelocity, path.velocity(X0, EPS, new double[] {t, t, t, t, t}), 1e-12, path.name() + " velocity");
        for (Parameterization kind : Parameterization.values()) {
            Tensor p = prediction(kind, path, t);
            assertClose(closedFormVelocity, path.toVelocity(kind, p, x, t), 1e-10, path.name() + " velocity from " + kind);
            assertClose(p, path.fromVelocity(closedFormVelocity, kind, x, t), 1e-10, path.name() + " " + kind + " from velocity");
        }
    }

    @Test
    void theLinearPathsVelocityIsNoiseMinusData() {
        GaussianPath linear = GaussianPath.linear();
        for (double t : new double[] {0.05, 0.5, 0.93}) {
            assertEquals(1 - t, linear.signal(t));
            checkPath(linear, t, EPS.linear(1, X0, -1));
        }
        assertEquals(0.25, linear.timeAtSigma(1.0 / 3), 1e-15); // b / a = 1/3 at t = 1/4
    }

    @Test
    void theVariancePreservingPathsVelocityIsAScaledV() {
        ContinuousSchedule vp = (ContinuousSchedule) Mixtures.vp();
        GaussianPath path = GaussianPath.variancePreserving(vp);
        for (double t : new double[] {0.1, 0.4, 0.8}) {
            double a = vp.signal(t);
            double b = vp.noise(t);
            // u = beta a / (2 b) v with v = a eps - b x0; and the rates are the derivatives of a and b
            checkPath(path, t, EPS.linear(a, X0, -b).mul(vp.beta(t) * a / (2 * b)));
            double h = 1e-6;
            assertEquals((path.signal(t + h) - path.signal(t - h)) / (2 * h), path.signalRate(t), 1e-7);
            assertEquals((path.noise(t + h) - path.noise(t - h)) / (2 * h), path.noiseRate(t), 1e-7);
            assertEquals(t, path.timeAtSigma(path.sigma(t)), 1e-9);
        }
    }

    @Test
    void theVarianceExplodingPathsVelocityIsNoiseOnly() {
        GaussianPath ve = GaussianPath.varianceExploding(0.01, 50);
        for (double t : new double[] {0.2, 0.7}) {
            checkPath(ve, t, EPS.mul(ve.noise(t) * Math.log(5000)));
            assertEquals(t, ve.timeAtSigma(ve.noise(t)), 1e-12);
        }
        assertThrows(InvalidParameterException.class, () -> GaussianPath.varianceExploding(1, 0.5));
    }

    @Test
    void theFlowPredictionConvertsAtAVariancePreservingPoint() {
        double alpha = 0.6;
        double sigma = 0.8;
        Tensor x = X0.linear(alpha, EPS, sigma);
        Tensor u = EPS.linear(1, X0, -1);
        assertClose(EPS, Parameterization.FLOW.convert(u, Parameterization.EPSILON, x, alpha, sigma), 1e-12, "eps");
        assertClose(X0, Parameterization.FLOW.convert(u, Parameterization.SAMPLE, x, alpha, sigma), 1e-12, "x0");
        assertClose(EPS.linear(alpha, X0, -sigma), Parameterization.FLOW.convert(u, Parameterization.V, x, alpha, sigma), 1e-12, "v");
        assertClose(u, Parameterization.V.convert(EPS.linear(alpha, X0, -sigma), Parameterization.FLOW, x, alpha, sigma), 1e-12, "flow from v");
        assertEquals(Parameterization.FLOW, Parameterization.parse("p", "flow_prediction"));
    }

    @Test
    void theRectifiedFlowScheduleIsTheLinearPathsVariancePreservingView() {
        FlowSchedule rf = (FlowSchedule) Mixtures.REGISTRY.createSchedule("rectified-flow", Parameters.of("num_train_timesteps", 1000));
        double t = 300;
        double s = 0.3;
        assertEquals(s / (1 - s), rf.sigma(t), 1e-12);
        assertEquals(0.7 / Math.hypot(0.7, 0.3), rf.signal(t), 1e-15);
        assertEquals(t, rf.timeAtSigma(rf.sigma(t)), 1e-9);
        assertEquals(1000, rf.tMax());
    }
}
