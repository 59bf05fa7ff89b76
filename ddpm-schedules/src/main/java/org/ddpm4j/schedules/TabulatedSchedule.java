package org.ddpm4j.schedules;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.MemoryBudget;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;

/**
 * A discrete schedule given by its table of betas: {@code alphaBar_t = prod_{s <= t} (1 - beta_s)},
 * optionally rescaled to zero terminal SNR. Every discrete schedule family computes its betas and
 * hands them to {@link #of}; the parameters common to all of them are read here:
 * <ul>
 *   <li>{@code num_train_timesteps} (T, default 1000);</li>
 *   <li>{@code rescale_betas_zero_snr} (default false): Lin et al. (2023) Algorithm 1, which shifts
 *       and scales {@code sqrt(alphaBar)} so that {@code alphaBar_{T-1} = 0} while keeping
 *       {@code alphaBar_0}: the last step then holds no signal at all, as sampling assumes.</li>
 * </ul>
 */
public final class TabulatedSchedule implements DiscreteSchedule {
    private final String name;
    private final Parameters parameters;
    private final double[] betas;
    private final double[] alphaBars;

    private TabulatedSchedule(String name, Parameters parameters, double[] betas, double[] alphaBars) {
        this.name = name;
        this.parameters = parameters;
        this.betas = betas;
        this.alphaBars = alphaBars;
    }

    /**
     * Reads {@code num_train_timesteps} (default 1000, at least 1), refusing a T whose tables would
     * not fit in memory (about {@value #BYTES_PER_STEP} bytes a step while building and using them).
     */
    static int trainSteps(Parameters p) {
        int steps = Checks.atLeast(p.qualify("num_train_timesteps"), p.getInt("num_train_timesteps", 1000), 1);
        MemoryBudget.require(p.qualify("num_train_timesteps"), steps, (double) steps * BYTES_PER_STEP,
                "a schedule needs a few float64 tables of T entries; diffusers' models use T = 1000");
        return steps;
    }

    /** Float64 tables of T entries alive at once: betas (twice while rescaling), alpha-bars and the tables derived by users. */
    private static final int BYTES_PER_STEP = 8 * 8;

    /**
     * A schedule named {@code name} from {@code betas} (each in (0, 1)); {@code own} are the family's
     * effective parameters, recorded together with the common ones for the configuration round trip.
     */
    static TabulatedSchedule of(String name, Parameters p, double[] betas, Map<String, Object> own) {
        for (int t = 0; t < betas.length; t++) {
            if (!(betas[t] > 0 && betas[t] < 1)) {
                throw new InvalidParameterException(p.qualify("beta[" + t + "]"), betas[t],
                        "every beta of schedule '" + name + "' must lie in (0, 1); check its parameters");
            }
        }
        boolean zeroSnr = p.getBoolean("rescale_betas_zero_snr", false);
        if (zeroSnr && betas.length < 2) {
            throw new InvalidParameterException(p.qualify("rescale_betas_zero_snr"), true, "needs num_train_timesteps >= 2");
        }
        double[] b = zeroSnr ? rescaleZeroTerminalSnr(betas) : betas.clone();
        Map<String, Object> effective = new LinkedHashMap<>();
        effective.put("num_train_timesteps", b.length);
        effective.putAll(own);
        effective.put("rescale_betas_zero_snr", zeroSnr);
        return new TabulatedSchedule(name, Parameters.of(effective), b, cumulativeProduct(b));
    }

    /**
     * Lin et al. (2023), Algorithm 1: {@code sqrt(alphaBar) <- (sqrt(alphaBar) - sqrt(alphaBar_{T-1}))
     * * sqrt(alphaBar_0) / (sqrt(alphaBar_0) - sqrt(alphaBar_{T-1}))}, then betas from the ratios.
     */
    static double[] rescaleZeroTerminalSnr(double[] betas) {
        double[] root = cumulativeProduct(betas);
        for (int t = 0; t < root.length; t++) {
            root[t] = Math.sqrt(root[t]);
        }
        double first = root[0];
        double last = root[root.length - 1];
        double[] rescaled = new double[betas.length];
        double previous = 1;
        for (int t = 0; t < root.length; t++) {
            double r = (root[t] - last) * first / (first - last);
            double alphaBar = r * r;
            rescaled[t] = 1 - alphaBar / previous;
            previous = alphaBar;
        }
        rescaled[rescaled.length - 1] = 1; // exactly: no signal left at the last step
        return rescaled;
    }

    private static double[] cumulativeProduct(double[] betas) {
        double[] alphaBars = new double[betas.length];
        double product = 1;
        for (int t = 0; t < betas.length; t++) {
            product *= 1 - betas[t];
            alphaBars[t] = product;
        }
        return alphaBars;
    }

    /** {@code n} evenly spaced numbers from {@code start} to {@code end} inclusive ({@code torch.linspace}). */
    static double[] linspace(double start, double end, int n) {
        double[] r = new double[n];
        if (n == 1) {
            r[0] = start;
            return r;
        }
        for (int i = 0; i < n; i++) {
            r[i] = start + (end - start) * i / (n - 1);
        }
        return r;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public int trainSteps() {
        return betas.length;
    }

    @Override
    public double beta(int t) {
        return betas[t];
    }

    @Override
    public double alphaBar(int t) {
        return alphaBars[t];
    }

    @Override
    public double[] betas() {
        return betas.clone();
    }

    @Override
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    @Override
    public String toString() {
        return name + parameters + " alphaBar[0]=" + alphaBars[0] + " alphaBar[T-1]=" + alphaBars[alphaBars.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TabulatedSchedule s && name.equals(s.name) && Arrays.equals(betas, s.betas);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(betas);
    }
}
