package com.example.ddpm;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.NonFiniteOutputException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.schedule.ContinuousSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * A sampler written by a third party against ddpm4j's API only: Euler's method on the
 * probability-flow ODE of the VP SDE (Song et al. 2021, eq. 13),
 * {@code dx/dt = f(t) x - g(t)^2 / 2 * score(x, t) = -beta(t)/2 (x - eps(x, t) / sigma_t)},
 * from {@code t = 1} to {@code t = t_min} in uniform steps.
 */
public final class ProbabilityFlowEulerSampler implements Sampler {
    public static final String NAME = "example-pf-euler";

    private final ContinuousSchedule schedule;
    private final int steps;
    private final double tMin;

    public ProbabilityFlowEulerSampler(Schedule schedule, Parameters p) {
        if (!(schedule instanceof ContinuousSchedule c)) {
            throw new InvalidParameterException(p.qualify("schedule"), schedule.name(), "must be a continuous schedule such as vp");
        }
        this.schedule = c;
        this.steps = Checks.atLeast(p.qualify("steps"), p.getInt("steps", 500), 1);
        this.tMin = Checks.open(p.qualify("t_min"), p.getDouble("t_min", 1e-3), 0, 1);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Schedule schedule() {
        return schedule;
    }

    @Override
    public int steps() {
        return steps;
    }

    @Override
    public double[] timesteps() {
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = time(i);
        }
        return t;
    }

    private double time(int i) {
        return 1 - (1 - tMin) * i / steps;
    }

    @Override
    public SamplingRun start(Denoiser denoiser, Tensor noise, SampleOptions options) {
        Denoiser eps = denoiser.as(Parameterization.EPSILON, schedule);
        return new SamplingRun() {
            private Tensor x = noise;
            private int done;
            private long evaluations;

            @Override
            public int steps() {
                return steps;
            }

            @Override
            public int stepsDone() {
                return done;
            }

            @Override
            public double time() {
                return ProbabilityFlowEulerSampler.this.time(done);
            }

            @Override
            public Tensor state() {
                return x;
            }

            @Override
            public void setState(Tensor state) {
                x = state;
            }

            @Override
            public void step() {
                double t = time();
                double dt = -(1 - tMin) / steps;
                try (TensorScope scope = noise.backend().openScope()) {
                    Tensor e = eps.predict(x, t, options.condition());
                    evaluations++;
                    if (options.checkFinite() && !e.isFinite()) {
                        throw new NonFiniteOutputException("the denoiser output", done, t);
                    }
                    // x + dt * (-beta/2) (x - eps / sigma)
                    double c = -0.5 * schedule.beta(t) * dt;
                    x = scope.keep(x.linear(1 + c, e, -c / schedule.noise(t)));
                }
                done++;
                options.listener().onStep(new StepEvent(done, steps, time(), x, null, evaluations));
            }

            @Override
            public long modelEvaluations() {
                return evaluations;
            }

            @Override
            public Tensor result() {
                return x;
            }

            @Override
            public void close() {
            }
        };
    }
}
