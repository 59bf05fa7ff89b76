package org.ddpm4j.toolkit.sampling;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.NonFiniteOutputException;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * One run of a {@link BaseSampler}. Every step runs in its own memory scope: only the new state and
 * what the update rule keeps survive it, and the previous state is released, so a run of 100,000
 * steps holds a constant number of tensors on any backend.
 *
 * <p>The run's tensors live in the scope that is current when {@link #step()} runs; call it outside
 * any scope that ends before the run does.
 */
final class RuleRun implements SamplingRun {
    private final BaseSampler sampler;
    private final UpdateRule rule;
    private final Denoiser denoiser;
    private final SampleOptions options;
    private final TensorBackend backend;
    private Tensor state;
    private Tensor stateView;
    private int done;
    private long evaluations;
    private boolean resultTaken;

    /** {@code initial} is the state (sampler form) after {@code firstStep} steps; the run owns it. */
    RuleRun(BaseSampler sampler, Denoiser denoiser, Tensor initial, int firstStep, SampleOptions options) {
        this.sampler = sampler;
        this.rule = sampler.newRule();
        this.denoiser = denoiser;
        this.options = options;
        this.backend = initial.backend();
        this.state = initial;
        this.done = firstStep;
        options.condition().checkBatch(initial.batchSize());
        if (options.checkFinite() && !initial.isFinite()) {
            // bad input, not a failure of the denoiser at step 0
            initial.close();
            throw new InvalidParameterException(firstStep == 0 ? "noise" : "state", "a tensor " + Tensor.describe(initial.shape()),
                    "holds NaN or infinite values; the input " + (firstStep == 0 ? "noise" : "state") + " of a run must be finite");
        }
    }

    Denoiser denoiser() {
        return denoiser;
    }

    SampleOptions options() {
        return options;
    }

    void countEvaluation() {
        evaluations++;
    }

    @Override
    public int steps() {
        return sampler.steps();
    }

    @Override
    public int stepsDone() {
        return done;
    }

    @Override
    public double time() {
        return sampler.stateTime(done);
    }

    @Override
    public Tensor state() {
        double scale = sampler.stateScale(done);
        if (scale == 1) {
            return state;
        }
        if (stateView == null) {
            stateView = state.mul(scale);
        }
        return stateView;
    }

    @Override
    public void setState(Tensor x) {
        if (!Arrays.equals(x.shape(), state.shape())) {
            throw new IllegalArgumentException("state of shape " + Tensor.describe(x.shape()) + " for a run of shape "
                    + Tensor.describe(state.shape()));
        }
        replaceState(x.mul(1 / sampler.stateScale(done)));
    }

    @Override
    public void step() {
        if (isDone()) {
            throw new IllegalStateException("the run has done all its " + steps() + " steps");
        }
        int i = done;
        try (TensorScope scope = backend.openScope()) {
            Step step = new Step(this, i, scope);
            Tensor next = rule.step(i, state, step);
            if (options.checkFinite() && !next.isFinite()) {
                throw new NonFiniteOutputException("the state of sampler '" + sampler.name() + "'", i, sampler.stateTime(i));
            }
            replaceState(scope.keep(next));
            done++;
            if (options.listener() != StepListener.NONE) {
                Tensor view = sampler.stateScale(done) == 1 ? state : state.mul(sampler.stateScale(done));
                options.listener().onStep(new StepEvent(done, steps(), time(), view, step.denoised(), evaluations));
            }
        }
    }

    private void replaceState(Tensor next) {
        if (next != state) {
            state.close();
            state = next;
        }
        if (stateView != null) {
            stateView.close();
            stateView = null;
        }
    }

    @Override
    public long modelEvaluations() {
        return evaluations;
    }

    @Override
    public Tensor result() {
        if (!isDone()) {
            throw new IllegalStateException("the run is not done: " + done + " of " + steps() + " steps");
        }
        double scale = sampler.stateScale(done);
        if (scale == 1) {
            resultTaken = true;
            return state;
        }
        return state.mul(scale);
    }

    @Override
    public void close() {
        rule.close();
        if (stateView != null) {
            stateView.close();
        }
        if (!resultTaken) {
            state.close();
        }
    }
}
