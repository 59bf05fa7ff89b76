package org.ddpm4j.samplers;

import java.util.OptionalInt;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.UpdateRule;
import org.ddpm4j.toolkit.sampling.Step;
import org.ddpm4j.toolkit.sampling.History;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * Pseudo numerical methods, Liu et al. (2022) (diffusers' PNDMScheduler). Every step moves along
 * the transfer {@code phi} of eq. 9, the DDIM step from {@code t} to {@code s} with a noise estimate {@code e}:
 * <pre>
 *   phi(x_t, e, t, s) = sqrt(alphaBar_s / alphaBar_t) x_t
 *                       - (alphaBar_s - alphaBar_t) e / (alphaBar_t sqrt(1 - alphaBar_s) + sqrt(alphaBar_t (1 - alphaBar_t) alphaBar_s))
 * </pre>
 * The noise estimate is that of a classical method (eq. 11-13): the first three steps are pseudo
 * Runge-Kutta (PRK: four evaluations, at t, the midpoint twice and s, combined 1/6, 1/3, 1/3, 1/6),
 * the rest pseudo linear multistep (PLMS: the fourth-order Adams-Bashforth combination
 * {@code (55 e_0 - 59 e_1 + 37 e_2 - 9 e_3) / 24} of the last four estimates). With
 * {@code skip_prk_steps} ({@code plms}) the first step is a pseudo improved Euler step and the
 * multistep order grows with the history.
 *
 * <p>As diffusers: steps end at {@code t - T // steps}; raw model outputs are combined, then read
 * as noise at the step's start (the same for an epsilon model).
 *
 * <p>Parameters: {@code steps} (50), {@code skip_prk_steps} (false; true for {@code plms}),
 * {@code set_alpha_to_one} (false), {@code timestep_spacing} (leading), {@code steps_offset}.
 */
public final class PndmSampler extends BaseSampler {
    public static final String NAME = "pndm";
    public static final String PLMS = "plms";
    private static final int PRK_STEPS = 3;

    private final DiscreteSchedule schedule;
    private final boolean skipPrk;
    private final double finalAlphaBar;
    private final int ratio;

    /** PNDM; {@code skip_prk_steps} as given (diffusers' PNDMScheduler). */
    public static PndmSampler pndm(Schedule schedule, Parameters p) {
        return new PndmSampler(NAME, SamplerParameters.discrete(schedule, NAME), p, p.getBoolean("skip_prk_steps", false));
    }

    /** PLMS alone: PNDM with {@code skip_prk_steps} always on. */
    public static PndmSampler plms(Schedule schedule, Parameters p) {
        return new PndmSampler(PLMS, SamplerParameters.discrete(schedule, PLMS), p, true);
    }

    private PndmSampler(String name, DiscreteSchedule schedule, Parameters p, boolean skipPrk) {
        super(name, schedule, Spacing.read(p, "leading").integerTimesteps(schedule.trainSteps(),
                SamplerParameters.steps(p, schedule.trainSteps(), 50), SamplerParameters.stepsOffset(p)));
        this.schedule = schedule;
        this.skipPrk = skipPrk;
        this.finalAlphaBar = p.getBoolean("set_alpha_to_one", false) ? 1 : schedule.alphaBar(0);
        this.ratio = schedule.trainSteps() / steps();
        if (!skipPrk && steps() <= PRK_STEPS) {
            throw new InvalidParameterException(p.qualify("steps"), steps(), "must be at least " + (PRK_STEPS + 1)
                    + " for PNDM's Runge-Kutta warm-up (or set skip_prk_steps)");
        }
    }

    /** The transfer phi(x, e, t, s) of eq. 9, {@code e} a combination of raw outputs read as noise at {@code (x, t)}. */
    private Tensor transfer(Tensor x, ModelOutput atX, Tensor e, int t, int s) {
        double alphaBarT = schedule.alphaBar(t);
        double alphaBarS = s >= 0 ? schedule.alphaBar(s) : finalAlphaBar;
        Tensor eps = atX.epsOf(e, NoiseLevel.ofAlphaBar(alphaBarT));
        double denominator = alphaBarT * Math.sqrt(1 - alphaBarS) + Math.sqrt(alphaBarT * (1 - alphaBarT) * alphaBarS);
        return x.linear(Math.sqrt(alphaBarS / alphaBarT), eps, -(alphaBarS - alphaBarT) / denominator);
    }

    @Override
    protected UpdateRule newRule() {
        int[] t = new int[steps()];
        for (int i = 0; i < t.length; i++) {
            t[i] = (int) timesteps()[i];
        }
        History e = new History(4);
        return new UpdateRule() {
            @Override
            public Tensor step(int i, Tensor x, Step step) {
                if (!skipPrk && i < PRK_STEPS) {
                    return rungeKutta(x, t[i], t[i + 1], step);
                }
                ModelOutput out = step.model(x, t[i]);
                if (e.size() == 0) {
                    return improvedEuler(x, out, i, step);
                }
                e.push(out.raw(), step);
                Tensor combined = switch (e.size()) {
                    case 2 -> e.get(0).linear(1.5, e.get(1), -0.5);
                    case 3 -> e.get(0).linear(23.0 / 12, e.get(1), -16.0 / 12).add(e.get(2).mul(5.0 / 12));
                    default -> e.get(0).linear(55.0 / 24, e.get(1), -59.0 / 24).add(e.get(2).linear(37.0 / 24, e.get(3), -9.0 / 24));
                };
                return transfer(x, out, combined, t[i], t[i] - ratio);
            }

            /** PRK: classical RK4 on the transfer, from t to s through the midpoint (diffusers' prk_timesteps). */
            private Tensor rungeKutta(Tensor x, int from, int to, Step step) {
                int half = ratio / 2;
                int mid = to + half;
                ModelOutput e1 = step.model(x, from);
                e.push(e1.raw(), step);
                Tensor e2 = step.model(transfer(x, e1, e1.raw(), from, from - half), mid).raw();
                Tensor e3 = step.model(transfer(x, e1, e2, from, mid), mid).raw();
                Tensor e4 = step.model(transfer(x, e1, e3, from, to), to).raw();
                Tensor combined = e1.raw().linear(1.0 / 6, e2, 1.0 / 3).add(e3.linear(1.0 / 3, e4, 1.0 / 6));
                return transfer(x, e1, combined, from, to);
            }

            /** The first PLMS step without history: Heun's method on the transfer (two evaluations; one if it is the last step). */
            private Tensor improvedEuler(Tensor x, ModelOutput first, int i, Step step) {
                e.push(first.raw(), step);
                Tensor predicted = transfer(x, first, first.raw(), t[i], t[i] - ratio);
                if (i + 1 == t.length) {
                    return predicted;
                }
                int next = t[i + 1];
                Tensor second = step.model(predicted, next).raw();
                return transfer(x, first, first.raw().linear(0.5, second, 0.5), next + ratio, next);
            }

            @Override
            public void close() {
                e.close();
            }
        };
    }

    /**
     * 1 as a lower bound: the pseudo linear multistep weights assume equal steps of the time index while
     * the transfer integrates in alphaBar, so the method converges, but at no fixed higher order.
     */
    @Override
    public OptionalInt order() {
        return OptionalInt.of(1);
    }
}
