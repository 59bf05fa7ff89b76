package org.ddpm4j.api.model;

import java.util.Arrays;
import java.util.Optional;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * A denoising model {@code f_theta(x_t, t, y)}: given noisy data {@code x_t} at model time {@code t}
 * (see {@link Schedule}) and an optional condition {@code y}, it predicts a quantity of kind
 * {@link #parameterization()}, usually the noise {@code eps_theta(x_t, t)} of Ho et al.
 *
 * <p>Implementations are neural networks held by a backend, analytic denoisers (the exact
 * minimiser of the regression objective for a known data distribution) or wrappers such as
 * guidance. Samplers only see this interface.
 */
public interface Denoiser {

    /** What {@link #predict} returns. */
    Parameterization parameterization();

    /** The prediction for every sample {@code i} of {@code x} at its own time {@code t[i]}. */
    Tensor predict(Tensor x, double[] t, Condition condition);

    /** The prediction for a batch at one time {@code t}. */
    default Tensor predict(Tensor x, double t, Condition condition) {
        double[] ts = new double[x.batchSize()];
        Arrays.fill(ts, t);
        return predict(x, ts, condition);
    }

    /**
     * What the output holds besides the prediction: {@link VarianceOutput#NONE} (the default) or a
     * learned variance, in which case {@link #predict} returns twice the input's channels
     * (prediction first, see {@link VarianceOutput}).
     */
    default VarianceOutput varianceOutput() {
        return VarianceOutput.NONE;
    }

    /** Number of classes of a class-conditional model (labels {@code 0..n-1}); 0 when unconditional. */
    default int numClasses() {
        return 0;
    }

    /** The shape of one sample this model accepts (e.g. {@code [1, 28, 28]}), when it is fixed. */
    default Optional<int[]> sampleShape() {
        return Optional.empty();
    }

    /**
     * This denoiser seen as predicting {@code target}: outputs are converted with
     * {@link Parameterization#convert} using the schedule's {@code alpha_t} and {@code sigma_t}.
     * This is the "model wrapper" layer of DPM-Solver: samplers ask for the prediction their
     * update rule is written in.
     */
    default Denoiser as(Parameterization target, Schedule schedule) {
        if (target == parameterization()) {
            return this;
        }
        Denoiser inner = this;
        return new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return target;
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                double[] alpha = new double[t.length];
                double[] sigma = new double[t.length];
                boolean uniform = true;
                for (int i = 0; i < t.length; i++) {
                    alpha[i] = schedule.signal(t[i]);
                    sigma[i] = schedule.noise(t[i]);
                    uniform &= t[i] == t[0];
                }
                Tensor out = inner.predict(x, t, condition);
                if (inner.varianceOutput() != VarianceOutput.NONE) {
                    // only the prediction changes meaning; the variance channels pass through
                    VarianceOutput.Split split = VarianceOutput.split(out);
                    Tensor converted = uniform ? inner.parameterization().convert(split.prediction(), target, x, alpha[0], sigma[0])
                            : inner.parameterization().convert(split.prediction(), target, x, alpha, sigma);
                    return VarianceOutput.join(converted, split.variance());
                }
                if (uniform) {
                    return inner.parameterization().convert(out, target, x, alpha[0], sigma[0]);
                }
                return inner.parameterization().convert(out, target, x, alpha, sigma);
            }

            @Override
            public VarianceOutput varianceOutput() {
                return inner.varianceOutput();
            }

            @Override
            public int numClasses() {
                return inner.numClasses();
            }

            @Override
            public Optional<int[]> sampleShape() {
                return inner.sampleShape();
            }
        };
    }

    /**
     * This denoiser, made for {@code own}, answering at the times of {@code target}: at time {@code t}
     * of {@code target} it is asked at the time of {@code own} with the same noise level
     * {@code sigma} (the same signal-to-noise ratio, hence the same variance-preserving point). So a
     * model of one path (a flow model on the linear path, say) serves samplers of another (a DDPM
     * schedule) exactly, within the noise levels {@code own} covers.
     */
    default Denoiser retimed(Schedule own, Schedule target) {
        Denoiser inner = this;
        return new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return inner.parameterization();
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                double[] mapped = new double[t.length];
                for (int i = 0; i < t.length; i++) {
                    mapped[i] = own.timeAtSigma(target.sigma(t[i]));
                }
                return inner.predict(x, mapped, condition);
            }

            @Override
            public int numClasses() {
                return inner.numClasses();
            }

            @Override
            public Optional<int[]> sampleShape() {
                return inner.sampleShape();
            }
        };
    }
}
