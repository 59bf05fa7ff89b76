package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.NoiseLevel;
import java.util.Locale;
import org.apache.commons.math3.ode.FirstOrderDifferentialEquations;
import org.apache.commons.math3.ode.nonstiff.AdaptiveStepsizeIntegrator;
import org.apache.commons.math3.ode.nonstiff.DormandPrince54Integrator;
import org.apache.commons.math3.ode.nonstiff.DormandPrince853Integrator;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.NonFiniteOutputException;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * The probability-flow ODE of Song et al. (2021, eq. 13), solved by Commons Math's adaptive
 * Dormand-Prince integrators with the user's tolerances. It is written in k-diffusion's variables,
 * {@code y = x_t / alpha_t} and {@code u = log sigma} (sigma the variance-exploding noise level):
 * <pre>
 *   dy/dsigma = eps_theta(alpha y, t(sigma))      i.e.   dy/du = sigma eps_theta(alpha y, t(sigma)),
 * </pre>
 * which is smooth in {@code u} for every schedule (time enters only through sigma;
 * {@code t(sigma)} is the schedule's {@link Schedule#timeAtSigma}). Between any two times it is the
 * exact limit every deterministic sampler converges to, so it is the reference of the accuracy
 * tests and the benchmark, and the flow of the exact log-likelihood.
 *
 * <p>The state is integrated on the host (a {@code double[]} per batch); each evaluation of the
 * field runs in its own memory scope.
 */
public final class ProbabilityFlowOde {

    /** The vector field {@code dy/du} at {@code (y, u)}. */
    @FunctionalInterface
    public interface Field {
        Tensor at(Tensor y, double u);
    }

    /** The Dormand-Prince pair: 5(4) or 8(5,3). */
    public enum Method {
        DOPRI5, DOPRI8;

        static Method read(Parameters p) {
            return valueOf(p.getChoice("method", "dopri8", "dopri5", "dopri8").toUpperCase(Locale.ROOT));
        }
    }

    private final Schedule schedule;
    private final double relativeTolerance;
    private final double absoluteTolerance;
    private final Method method;
    private final int maxEvaluations;

    public ProbabilityFlowOde(Schedule schedule, double relativeTolerance, double absoluteTolerance, Method method, int maxEvaluations) {
        this.schedule = schedule;
        this.relativeTolerance = Checks.positive("rtol", relativeTolerance);
        this.absoluteTolerance = Checks.positive("atol", absoluteTolerance);
        this.method = method;
        this.maxEvaluations = Checks.atLeast("max_evaluations", maxEvaluations, 10);
    }

    /** Reads {@code rtol}, {@code atol} (default 1e-5 each), {@code method} (dopri8) and {@code max_evaluations} (100000). */
    public static ProbabilityFlowOde read(Schedule schedule, Parameters p) {
        return new ProbabilityFlowOde(schedule, Checks.positive(p.qualify("rtol"), p.getDouble("rtol", 1e-5)),
                Checks.positive(p.qualify("atol"), p.getDouble("atol", 1e-5)), Method.read(p),
                Checks.atLeast(p.qualify("max_evaluations"), p.getInt("max_evaluations", 100_000), 10));
    }

    public Schedule schedule() {
        return schedule;
    }

    /** {@code u = log sigma(t)}. */
    public double logSigma(double t) {
        return logSigma("t", t);
    }

    /** {@code u = log sigma(t)}; fails, naming {@code parameter}, where sigma is 0 or infinite (a zero-terminal-SNR schedule's last step). */
    public double logSigma(String parameter, double t) {
        double sigma = schedule.sigma(t);
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new InvalidParameterException(parameter, t, "has sigma = " + sigma
                    + "; the probability-flow ODE needs 0 < sigma < infinity there (choose a time inside the schedule)");
        }
        return Math.log(sigma);
    }

    /** The field of {@code denoiser}: {@code sigma eps_theta(alpha y, t(sigma))}, NaN checked (reported with the evaluation count). */
    public Field field(Denoiser denoiser, Condition condition) {
        long[] evaluations = {0};
        return (y, u) -> {
            double sigma = Math.exp(u);
            double t = schedule.timeAtSigma(sigma);
            NoiseLevel level = NoiseLevel.ofSigma(sigma);
            Tensor x = y.mul(level.alpha());
            Tensor out = denoiser.predict(x, t, condition);
            if (!out.isFinite()) {
                throw new NonFiniteOutputException("the denoiser's output", (int) evaluations[0], t);
            }
            evaluations[0]++;
            if (denoiser.varianceOutput() != VarianceOutput.NONE) {
                out = VarianceOutput.split(out).prediction(); // the ODE uses the mean prediction only
            }
            return denoiser.parameterization().convert(out, Parameterization.EPSILON, x, level.alpha(), level.sigma()).mul(sigma);
        };
    }

    /** A fresh integrator of the chosen method for an integration over {@code |range|} in u. */
    public AdaptiveStepsizeIntegrator integrator(double range) {
        double span = Math.abs(range);
        AdaptiveStepsizeIntegrator integrator = method == Method.DOPRI8
                ? new DormandPrince853Integrator(1e-12 * span, span, absoluteTolerance, relativeTolerance)
                : new DormandPrince54Integrator(1e-12 * span, span, absoluteTolerance, relativeTolerance);
        integrator.setMaxEvaluations(maxEvaluations);
        return integrator;
    }

    /** Derivatives of a state held on the host. */
    @FunctionalInterface
    public interface HostDerivatives {
        void compute(double u, double[] state, double[] derivatives);
    }

    /** Integrates {@code state} in place from {@code uFrom} to {@code uTo}; each evaluation runs in a memory scope of {@code backend}. */
    public void integrate(TensorBackend backend, double[] state, double uFrom, double uTo, HostDerivatives derivatives) {
        if (uFrom == uTo) {
            return;
        }
        integrator(uTo - uFrom).integrate(new FirstOrderDifferentialEquations() {
            @Override
            public int getDimension() {
                return state.length;
            }

            @Override
            public void computeDerivatives(double u, double[] values, double[] out) {
                try (TensorScope scope = backend.openScope()) {
                    derivatives.compute(u, values, out);
                }
            }
        }, uFrom, state.clone(), uTo, state);
    }

    /** Integrates {@code field} from {@code y} at {@code uFrom} to {@code uTo}; returns y there (same backend and shape). */
    public Tensor integrate(Field field, Tensor y, double uFrom, double uTo) {
        TensorBackend backend = y.backend();
        int[] shape = y.shape();
        double[] state = y.toDoubleArray();
        integrate(backend, state, uFrom, uTo, (u, values, out) -> {
            double[] v = field.at(backend.fromHost(values, shape), u).toDoubleArray();
            System.arraycopy(v, 0, out, 0, v.length);
        });
        return backend.fromHost(state, shape);
    }

    /** The variance-preserving {@code x} at time {@code to} from {@code x} at time {@code from}. */
    public Tensor solve(Denoiser denoiser, Tensor x, double from, double to, Condition condition) {
        try (TensorScope scope = x.backend().openScope()) {
            Tensor y = x.mul(1 / schedule.signal(from));
            Tensor end = integrate(field(denoiser, condition), y, logSigma(from), logSigma(to)).mul(schedule.signal(to));
            return scope.keep(end);
        }
    }
}
