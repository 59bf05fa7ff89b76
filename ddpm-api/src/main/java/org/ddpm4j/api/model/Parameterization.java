package org.ddpm4j.api.model;

import java.util.Locale;
import java.util.function.DoubleBinaryOperator;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.Tensor;

/**
 * What a denoiser's output means. With {@code x_t = alpha_t x_0 + sigma_t eps},
 * {@code alpha_t = sqrt(alphaBar_t)}, {@code sigma_t = sqrt(1 - alphaBar_t)}:
 * <ul>
 *   <li>{@link #EPSILON}: the noise {@code eps} (Ho et al. 2020);</li>
 *   <li>{@link #SAMPLE}: the clean data {@code x_0} (diffusers' {@code "sample"});</li>
 *   <li>{@link #V}: the velocity {@code v = alpha_t eps - sigma_t x_0} (Salimans &amp; Ho 2022);</li>
 *   <li>{@link #SCORE}: the score {@code grad_x log q(x_t) = -eps / sigma_t} (Song et al. 2021);</li>
 *   <li>{@link #FLOW}: the flow-matching velocity {@code u = eps - x_0} of the linear path
 *       {@code (1 - s) x_0 + s eps} (rectified flow; diffusers' {@code "flow_prediction"}). It depends on
 *       {@code x_0} and {@code eps} only, so it converts at a variance-preserving point like the others;
 *       the velocity of any other path is {@link org.ddpm4j.api.path.GaussianPath#toVelocity}.</li>
 * </ul>
 * The exact predictions are linked by linear maps that depend only on {@code x_t} and the schedule;
 * {@link #convert} is the one place they are written.
 */
public enum Parameterization {
    EPSILON("epsilon"),
    SAMPLE("sample"),
    V("v_prediction"),
    SCORE("score"),
    FLOW("flow_prediction");

    private final String diffusersName;

    Parameterization(String diffusersName) {
        this.diffusersName = diffusersName;
    }

    /** The name diffusers uses for {@code prediction_type}. */
    public String diffusersName() {
        return diffusersName;
    }

    /** Parses {@code epsilon | sample | x0 | v | v_prediction | score}, without regard to case. */
    public static Parameterization parse(String parameter, String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "epsilon", "eps" -> EPSILON;
            case "sample", "x0", "x_0" -> SAMPLE;
            case "v", "v_prediction" -> V;
            case "score" -> SCORE;
            case "flow", "flow_prediction" -> FLOW;
            default -> throw new InvalidParameterException(parameter, name,
                    "must be one of epsilon, sample (x0), v_prediction (v), score, flow_prediction (flow)");
        };
    }

    /**
     * Converts a prediction of this kind, made at {@code xt} with signal scale {@code alpha} and noise
     * scale {@code sigma}, into a prediction of kind {@code target}.
     */
    public Tensor convert(Tensor prediction, Parameterization target, Tensor xt, double alpha, double sigma) {
        return convert(prediction, target, xt, new double[] {alpha}, new double[] {sigma});
    }

    /**
     * As {@link #convert(Tensor, Parameterization, Tensor, double, double)} with per-sample scales
     * {@code alpha[i]}, {@code sigma[i]} (a length-1 array applies to the whole batch).
     */
    public Tensor convert(Tensor prediction, Parameterization target, Tensor xt, double[] alpha, double[] sigma) {
        if (alpha.length != sigma.length) {
            throw new IllegalArgumentException("alpha and sigma must have the same length");
        }
        if (target == this) {
            return prediction;
        }
        Coefficients c = new Coefficients(alpha, sigma);
        return switch (target) {
            case EPSILON -> toEpsilon(prediction, xt, c);
            case SAMPLE -> toSample(prediction, xt, c);
            case V -> c.combine(toEpsilon(prediction, xt, c), (a, s) -> 1 / a, xt, (a, s) -> -s / a); // (eps - sigma x) / alpha
            case SCORE -> c.combine(toEpsilon(prediction, xt, c), (a, s) -> -1 / s, null, null);     // -eps / sigma
            case FLOW -> toEpsilon(prediction, xt, c).linear(1, toSample(prediction, xt, c), -1);       // eps - x0
        };
    }

    private Tensor toEpsilon(Tensor p, Tensor xt, Coefficients c) {
        return switch (this) {
            case EPSILON -> p;
            case SAMPLE -> c.combine(xt, (a, s) -> 1 / s, p, (a, s) -> -a / s); // (x - alpha x0) / sigma
            case V -> c.combine(xt, (a, s) -> s, p, (a, s) -> a);               // sigma x + alpha v
            case SCORE -> c.combine(p, (a, s) -> -s, null, null);               // -sigma score
            case FLOW -> c.combine(xt, (a, s) -> 1 / (a + s), p, (a, s) -> a / (a + s)); // (x + alpha u) / (alpha + sigma)
        };
    }

    private Tensor toSample(Tensor p, Tensor xt, Coefficients c) {
        return switch (this) {
            case EPSILON -> c.combine(xt, (a, s) -> 1 / a, p, (a, s) -> -s / a);    // (x - sigma eps) / alpha
            case SAMPLE -> p;
            case V -> c.combine(xt, (a, s) -> a, p, (a, s) -> -s);                  // alpha x - sigma v
            case SCORE -> c.combine(xt, (a, s) -> 1 / a, p, (a, s) -> s * s / a);  // (x + sigma^2 score) / alpha
            case FLOW -> c.combine(xt, (a, s) -> 1 / (a + s), p, (a, s) -> -s / (a + s)); // (x - sigma u) / (alpha + sigma)
        };
    }

    /** Coefficients {@code f(alpha_i, sigma_i)} applied per sample; length 1 means batch-wide. */
    private record Coefficients(double[] alpha, double[] sigma) {

        /** {@code f(alpha, sigma) * x + g(alpha, sigma) * y} ({@code y} may be null). */
        Tensor combine(Tensor x, DoubleBinaryOperator f, Tensor y, DoubleBinaryOperator g) {
            double[] cx = eval(f);
            if (y == null) {
                return cx.length == 1 ? x.mul(cx[0]) : x.mulPerSample(cx);
            }
            double[] cy = eval(g);
            return cx.length == 1 ? x.linear(cx[0], y, cy[0]) : x.mulPerSample(cx).add(y.mulPerSample(cy));
        }

        private double[] eval(DoubleBinaryOperator f) {
            double[] r = new double[alpha.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = f.applyAsDouble(alpha[i], sigma[i]);
            }
            return r;
        }
    }
}
