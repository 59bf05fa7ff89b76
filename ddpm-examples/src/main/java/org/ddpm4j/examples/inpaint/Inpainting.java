package org.ddpm4j.examples.inpaint;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.SampleNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * Inpainting with an unconditional denoiser (the replacement method of Song et al. 2021 and
 * RePaint, Lugmayr et al. 2022): after every step of the sampler the known entries of the state are
 * overwritten by the known data noised to the state's time, {@code x_t[known] = sqrt(alphaBar_t) x0[known]
 * + sqrt(1 - alphaBar_t) eps}, so the unknown entries are denoised in agreement with them.
 *
 * <p>With {@code resampling = U > 1} every step is repeated U times as in RePaint: after the step
 * from {@code t} to {@code s} and the replacement, the state is noised back from {@code s} to
 * {@code t} with the forward process {@code q(x_t | x_s)} and the step is taken again, which gives the
 * unknown entries time to harmonise with the known ones. The repeats start each step afresh with
 * {@link Sampler#startAt}, so multistep solvers act as their first-order method there.
 *
 * <p>All noise is drawn per sample ({@link SampleNoise}): row {@code r} is sample
 * {@code options.firstIndex() + r}, and its noise of the known entries, of the jumps back and of the
 * sampler's steps in every round comes from streams keyed by the sample's index and by the round, each
 * purpose under its own seed derived from the run's. A sample is thus inpainted the same in any batch,
 * and no two of its draws share a stream.
 */
public final class Inpainting {
    /** Mixed into the seed for the noise of the known entries and of the jumps back, apart from the sampler's own. */
    private static final long STREAMS = 0x5EED_1A9A_1A7L;
    /** Purposes of the derived seeds ({@link #derivedSeed}); repeat {@code u > 0} of a step uses {@code REPEAT + u}. */
    private static final long REPLACEMENT = 0;
    private static final long JUMP = 1;
    private static final long REPEAT = 2;

    private final Sampler sampler;
    private final int resampling;

    /** Inpaints with {@code sampler}, repeating each step {@code resampling} (>= 1) times. */
    public Inpainting(Sampler sampler, int resampling) {
        if (resampling < 1) {
            throw new InvalidParameterException("resampling", resampling, "must be an integer >= 1 (1: no resampling)");
        }
        this.sampler = sampler;
        this.resampling = resampling;
    }

    /**
     * Samples the entries of {@code known} where {@code mask} is 0 given those where it is 1.
     *
     * @param known   clean data {@code [n, ...]}; only the entries under the mask are used
     * @param mask    1 for known entries, 0 for those to fill; the shape of {@code known}
     * @param noise   standard normal noise of the same shape: the starting point
     * @param options seed, listener, condition; the known entries are re-noised with a stream derived from the seed
     * @return samples that equal {@code known} under the mask
     */
    public Tensor inpaint(Denoiser denoiser, Tensor known, Tensor mask, Tensor noise, SampleOptions options) {
        if (!Arrays.equals(known.shape(), mask.shape()) || !Arrays.equals(known.shape(), noise.shape())) {
            throw new InvalidParameterException("mask", Tensor.describe(mask.shape()), "must have the shape of the data "
                    + Tensor.describe(known.shape()) + " and of the noise " + Tensor.describe(noise.shape()));
        }
        try (TensorScope call = known.backend().openScope()) { // nothing but the result outlives the call
            Replacement replacement = new Replacement(sampler.schedule(), known, mask, derivedSeed(options.seed(), REPLACEMENT),
                    options.firstIndex());
            Tensor result = resampling == 1 ? oneRun(denoiser, noise, options, replacement)
                    : repeatedSteps(denoiser, noise, options, replacement);
            return call.keep(replacement.exact(result));
        }
    }

    /**
     * A seed for one purpose of a run with {@code seed}: a pure function of both, so the streams of
     * different purposes (and of the sampler, which uses {@code seed} itself) are independent.
     */
    private static long derivedSeed(long seed, long purpose) {
        return GaussianNoise.forStep(seed ^ STREAMS, purpose).nextLong();
    }

    /** One run of the sampler, its state corrected after every step (multistep history kept). */
    private Tensor oneRun(Denoiser denoiser, Tensor noise, SampleOptions options, Replacement replacement) {
        try (SamplingRun run = sampler.start(denoiser, noise, options)) {
            for (long k = 0; !run.isDone(); k++) {
                run.step();
                if (!run.isDone()) {
                    replacement.apply(run, k);
                }
            }
            return run.result();
        }
    }

    /** RePaint's schedule: each step taken {@code resampling} times, jumping back with the forward process in between. */
    private Tensor repeatedSteps(Denoiser denoiser, Tensor noise, SampleOptions options, Replacement replacement) {
        double[] times = sampler.timesteps();
        if (times.length == 0) {
            throw new InvalidParameterException("resampling", resampling, "needs a sampler with a fixed step plan; '" + sampler.name()
                    + "' is adaptive");
        }
        Schedule schedule = sampler.schedule();
        TensorBackend backend = noise.backend();
        int rounds = times.length * resampling;
        long evaluations = 0;
        Tensor x;
        try (TensorScope first = backend.openScope()) {
            x = first.keep(replacement.at(noise, times[0], GaussianNoise.INITIAL_STEP));
        }
        for (int k = 0; k < times.length; k++) {
            for (int u = 0; u < resampling; u++) {
                // every round's temporaries die with its scope, and the state it replaces is closed: memory does not grow with U
                try (TensorScope round = backend.openScope()) {
                    Tensor next;
                    double s;
                    long roundIndex = (long) k * resampling + u;
                    // the sampler's step k keys its noise by (seed, sample, k): each repeat of step k needs its own seed
                    SampleOptions roundOptions = options.withSeed(u == 0 ? options.seed() : derivedSeed(options.seed(), REPEAT + u))
                            .withListener(asOneBar(options.listener(), k * resampling + u + 1, rounds, evaluations));
                    try (SamplingRun run = sampler.startAt(k, denoiser, x, roundOptions)) {
                        run.step();
                        s = run.time();
                        evaluations += run.modelEvaluations();
                        next = k + 1 < times.length ? replacement.at(run.state(), s, roundIndex) : run.result();
                    }
                    if (u + 1 < resampling) {
                        // forward from s back to t = times[k]: x_t = sqrt(ab_t / ab_s) x_s + sqrt(1 - ab_t / ab_s) eps
                        double ratio = schedule.alphaBar(times[k]) / schedule.alphaBar(s);
                        Tensor eps = new SampleNoise(derivedSeed(options.seed(), JUMP), options.firstIndex(), next.batchSize(), roundIndex)
                                .randn(backend, next.shape());
                        next = next.linear(Math.sqrt(ratio), eps, Math.sqrt(1 - ratio));
                    }
                    x.close();
                    x = round.keep(next);
                }
            }
        }
        return x;
    }

    /** {@code listener} seeing round {@code round} of {@code rounds} as step {@code round} of one run of {@code rounds} steps. */
    private static StepListener asOneBar(StepListener listener, int round, int rounds, long evaluationsBefore) {
        if (listener == StepListener.NONE) {
            return listener;
        }
        return e -> listener.onStep(new StepEvent(round, rounds, e.time(), e.state(), e.denoised(), evaluationsBefore + e.modelEvaluations()));
    }

    /** The known data noised to a time and put into a state under the mask. */
    private static final class Replacement {
        private final Schedule schedule;
        private final Tensor known;
        private final Tensor mask;
        private final Tensor unknown;
        private final long seed;
        private final long firstIndex;

        Replacement(Schedule schedule, Tensor known, Tensor mask, long seed, long firstIndex) {
            this.schedule = schedule;
            this.known = known;
            this.mask = mask;
            this.unknown = mask.neg().add(1);
            this.seed = seed;
            this.firstIndex = firstIndex;
        }

        /**
         * {@code state} with its known entries replaced by the known data at time {@code t}, noised
         * with every sample's stream {@code key} (one key per replacement of a run).
         */
        Tensor at(Tensor state, double t, long key) {
            Tensor eps = new SampleNoise(seed, firstIndex, known.batchSize(), key).randn(state.backend(), known.shape());
            return schedule.addNoise(known, eps, t).mul(mask).add(state.mul(unknown));
        }

        /** Corrects the run's state after its step {@code k} in place, freeing the temporaries. */
        void apply(SamplingRun run, long k) {
            Tensor corrected;
            try (TensorScope scope = run.state().backend().openScope()) {
                corrected = scope.keep(at(run.state(), run.time(), k));
            }
            run.setState(corrected);
            corrected.close();
        }

        /** The final samples: exactly the known data under the mask. */
        Tensor exact(Tensor samples) {
            return known.mul(mask).add(samples.mul(unknown));
        }
    }
}
