package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.training.LossWeighting;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.training.TimeDistribution;
import org.ddpm4j.api.training.TrainingBatch;
import org.junit.jupiter.api.Test;

/** The conditional flow-matching objective and its time distributions, against closed forms. */
class FlowObjectiveTest {
    private static final FlowSchedule FLOW = (FlowSchedule) Mixtures.REGISTRY.createSchedule("rectified-flow", Parameters.empty());
    private static final Tensor X0 = Mixtures.noise(64, 21).mul(0.5);

    /** {@code x_t} is the variance-preserving point of {@code x_s = (1 - s) x0 + s eps}, so {@code scale(s) x_t = x0 + s u}. */
    private static void checkPath(TrainingBatch b, Tensor x0) {
        double[] xt = b.xt().toDoubleArray();
        double[] u = b.target().toDoubleArray();
        double[] x = x0.toDoubleArray();
        for (int i = 0; i < b.t().length; i++) {
            double s = FLOW.pathTime(b.t()[i]);
            assertTrue(s > 0 && s < 1, "path time " + s);
            for (int j = 0; j < 2; j++) {
                int k = 2 * i + j;
                assertEquals(x[k] + s * u[k], FLOW.path().scale(s) * xt[k], 1e-5, "sample " + i);
            }
        }
    }

    @Test
    void theTargetIsTheVelocityOfTheLinearPath() {
        Objective o = new Objective(FLOW, Parameterization.FLOW, LossWeighting.UNIFORM, 0, TimeDistribution.logitNormal(0, 1));
        checkPath(o.batch(X0, Condition.none(), new GaussianNoise(1)), X0);
        assertEquals("flow-matching", o.describe().get("type"));
    }

    @Test
    void couplingsKeepTheirOwnNoise() {
        Tensor eps = Mixtures.noise(64, 22);
        Objective o = new Objective(FLOW, Parameterization.FLOW, LossWeighting.UNIFORM, 0);
        TrainingBatch b = o.coupledBatch(X0, eps, Condition.none(), new GaussianNoise(2));
        double[] u = b.target().toDoubleArray();
        double[] expected = eps.linear(1, X0, -1).toDoubleArray();
        for (int k = 0; k < u.length; k++) {
            assertEquals(expected[k], u[k], 1e-6);
        }
        checkPath(b, X0);
    }

    @Test
    void timeDistributionsFollowTheirLaws() {
        int n = 100_000;
        GaussianNoise noise = new GaussianNoise(3);
        TimeDistribution logitNormal = TimeDistribution.logitNormal(0.5, 0.8);
        double mean = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double s = logitNormal.sample(noise);
            double logit = Math.log(s / (1 - s));
            mean += logit / n;
            sq += logit * logit / n;
        }
        assertEquals(0.5, mean, 0.01);
        assertEquals(0.8, Math.sqrt(sq - mean * mean), 0.01);
        // mode sampling: s(u) = 1 - u - scale (cos^2(pi u / 2) - 1 + u) decreases in u, so P(s >= s(1/4)) = 1/4
        double scale = 1.29;
        double c = Math.cos(Math.PI / 8);
        double quartile = 0.75 - scale * (c * c - 0.75);
        TimeDistribution mode = TimeDistribution.mode(scale);
        int above = 0;
        for (int i = 0; i < n; i++) {
            above += mode.sample(noise) >= quartile ? 1 : 0;
        }
        assertEquals(0.25, (double) above / n, 0.005);
        assertThrows(InvalidParameterException.class, () -> TimeDistribution.mode(2.0));
        assertThrows(InvalidParameterException.class, () -> TimeDistribution.logitNormal(0, 0));
    }

    @Test
    void mismatchesAreNamed() {
        InvalidParameterException flowOnVp = assertThrows(InvalidParameterException.class,
                () -> new Objective(Mixtures.linear(), Parameterization.FLOW, LossWeighting.UNIFORM, 0));
        assertTrue(flowOnVp.getMessage().contains("parameterization = 'flow_prediction'"), flowOnVp.getMessage());
        InvalidParameterException times = assertThrows(InvalidParameterException.class,
                () -> new Objective(Mixtures.linear(), Parameterization.EPSILON, LossWeighting.UNIFORM, 0, TimeDistribution.logitNormal(0, 1)));
        assertTrue(times.getMessage().contains("time_distribution"), times.getMessage());
    }
}
