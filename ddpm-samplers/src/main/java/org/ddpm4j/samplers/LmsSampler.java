package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.History;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Linear multistep (Adams-Bashforth) on the probability-flow ODE in sigma (k-diffusion's
 * {@code sample_lms}; diffusers' LMSDiscreteScheduler), order 4 by default: with the last
 * derivatives {@code d_{i-k} = (x_{i-k} - D(x_{i-k}; sigma_{i-k})) / sigma_{i-k}},
 * <pre>
 *   x_{i+1} = x_i + sum_k c_k d_{i-k},   c_k = integral_{sigma_i}^{sigma_{i+1}} prod_{j != k} (s - sigma_{i-j}) / (sigma_{i-k} - sigma_{i-j}) ds
 * </pre>
 * the integral of the Lagrange polynomial through the past derivatives (computed exactly by
 * Gauss-Legendre quadrature). The order grows with the step index up to {@code order}; as in
 * diffusers it is counted from the first step of the schedule, so a run started later uses the
 * coefficients of that order with the derivatives it has.
 *
 * <p>Parameters: those of {@link SigmaSpaceSampler}, plus {@code order} (4, in 1..4; diffusers'
 * {@code step(order=4)}).
 */
public final class LmsSampler extends SigmaSpaceSampler {
    public static final String NAME = "lms";
    private static final GaussIntegratorFactory GAUSS = new GaussIntegratorFactory();

    private final int order;

    public LmsSampler(Schedule schedule, Parameters p) {
        this(SamplerParameters.discrete(schedule, NAME), p);
    }

    private LmsSampler(DiscreteSchedule schedule, Parameters p) {
        super(NAME, schedule, Plan.read(schedule, p, false));
        this.order = Checks.closed(p.qualify("order"), p.getInt("order", 4), 1, 4);
    }

    /** {@code c_k} for the step from {@code sigma_i} with a polynomial through {@code n} points (sigma decreases: minus the integral upwards). */
    private double coefficient(int i, int n, int k) {
        if (sigma(i + 1) == sigma(i)) {
            return 0; // a step of length 0 (the last linspace step onto sigma_min)
        }
        return -GAUSS.legendre(4, sigma(i + 1), sigma(i)).integrate(s -> {
            double product = 1;
            for (int j = 0; j < n; j++) {
                if (j != k) {
                    product *= (s - sigma(i - j)) / (sigma(i - k) - sigma(i - j));
                }
            }
            return product;
        });
    }

    @Override
    protected UpdateRule newRule() {
        History d = new History(order);
        return new UpdateRule() {
            @Override
            public Tensor step(int i, Tensor x, Step step) {
                double sigma = sigma(i);
                Tensor x0 = model(step, x, sigma, timesteps()[i]).x0(NoiseLevel.ofSigma(sigma));
                d.push(x.linear(1 / sigma, x0, -1 / sigma), step);
                int n = Math.min(i + 1, order);
                Tensor next = x;
                for (int k = 0; k < Math.min(n, d.size()); k++) {
                    next = next.linear(1, d.get(k), coefficient(i, n, k));
                }
                return next;
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    /**
     * Its order, even though Euler starts it: the first steps are nearly exact at high noise, where the
     * flow in sigma is linear, so the measured order of the default 4 is 4.
     */
    @Override
    public OptionalInt order() {
        return OptionalInt.of(order);
    }
}
