package org.ddpm4j.samplers.steps;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.samplers.BespokeSampler;

/**
 * The coefficients of a {@code bespoke} solver on given step times, fitted step by step in closed
 * form. Given the states the solver reached so far, step {@code i},
 * {@code x_{i+1} = (1 + c_0) base x_i + gain sum_j (w_j + c_{j+1}) D_{i-j}}, is linear in its own
 * corrections {@code c}; they are chosen to minimise {@code ||x_{i+1} - x_exact(t_{i+1})||^2} over the
 * pilots, where {@code x_exact} is the exact probability flow from the same noise, and the next step
 * starts from the fitted {@code x_{i+1}} (so each step also corrects what the earlier ones missed; the
 * last step's target is the exact endpoint). A ridge term {@code ridge * G_kk (c_k)^2}, relative to
 * each column's own scale {@code G_kk}, pulls the corrections toward zero (DPM-Solver++(2M)) where the
 * pilots do not determine them (at low noise {@code D} is nearly {@code x}, so the columns are nearly
 * collinear).
 *
 * <p>{@code robustPasses > 0} reweights each pass by {@code 1 / max(|residual|, floor)} per element
 * (iteratively reweighted least squares toward the mean absolute error, the benchmark's measure,
 * which a few samples near a boundary between modes dominate less than the squared one).
 */
public final class BespokeLeastSquares {

    /** The pilots' exact states at a model time ({@code StepScheduleOptimizer::exactState}). */
    @FunctionalInterface
    public interface ExactStates {
        Tensor at(double t);
    }

    /** Fitted coefficients and the fitter's own mean absolute endpoint error on the pilots. */
    public record Fit(double[] coefficients, double pilotError) {
    }

    /** The relative ridge the commands use by default. */
    public static final double DEFAULT_RIDGE = 1e-4;

    private final BespokeOptimizer.SamplerFactory factory;
    private final Denoiser denoiser;
    private final Tensor pilots;
    private final ExactStates exact;
    private final int history;
    private final double ridge;
    private final int robustPasses;

    /**
     * @param factory   makes the {@code bespoke} sampler on given times and coefficients (it supplies the step arithmetic)
     * @param pilots    the pilot noise at the first step time, {@code exact} their exact states at any time
     * @param history   how many data predictions each step combines (at least {@link BespokeSampler#MIN_HISTORY})
     * @param ridge     relative ridge toward DPM-Solver++(2M), at least 0
     */
    public BespokeLeastSquares(BespokeOptimizer.SamplerFactory factory, Denoiser denoiser, Tensor pilots, ExactStates exact, int history,
            double ridge, int robustPasses) {
        if (history < BespokeSampler.MIN_HISTORY) {
            throw new InvalidParameterException("history", history, "must be at least " + BespokeSampler.MIN_HISTORY);
        }
        if (!(ridge >= 0 && Double.isFinite(ridge))) {
            throw new InvalidParameterException("ridge", ridge, "must be a finite number >= 0");
        }
        if (robustPasses < 0) {
            throw new InvalidParameterException("robustPasses", robustPasses, "must be at least 0");
        }
        this.factory = factory;
        this.denoiser = denoiser;
        this.pilots = pilots;
        this.exact = exact;
        this.history = history;
        this.ridge = ridge;
        this.robustPasses = robustPasses;
    }

    public int history() {
        return history;
    }

    /** The coefficients for {@code times} (descending model times, the solver stops at t = 0). */
    public Fit fit(double[] times) {
        int n = times.length;
        for (int i = 1; i < n; i++) {
            if (!(times[i] < times[i - 1] && times[i] > 0)) {
                throw new InvalidParameterException("times", java.util.Arrays.toString(times), "must be strictly descending and above 0");
            }
        }
        int h = history;
        Sampler s = factory.create(times, new double[BespokeSampler.coefficientCount(n, h)]);
        if (!(s instanceof BespokeSampler sampler)) {
            throw new InvalidParameterException("factory", s.getClass().getSimpleName(), "must make the bespoke sampler");
        }
        double[] coefficients = new double[BespokeSampler.coefficientCount(n, h)];
        List<Tensor> d = new ArrayList<>();
        Tensor x = pilots;
        int at = 0;
        for (int i = 0; i < n; i++) {
            BespokeSampler.StepForm form = sampler.form(i);
            d.add(0, sampler.dataPrediction(denoiser, x, i));
            double[] w = form.weights();
            Tensor[] columns = new Tensor[1 + w.length];
            columns[0] = x.mul(form.base());
            Tensor start = columns[0];
            for (int j = 0; j < w.length; j++) {
                columns[1 + j] = d.get(j).mul(form.gain());
                start = start.linear(1, columns[1 + j], w[j]);
            }
            Tensor target = exact.at(i + 1 < n ? times[i + 1] : 0);
            double[] c = solve(columns, target.sub(start));
            Tensor next = start;
            for (int k = 0; k < c.length; k++) {
                next = next.linear(1, columns[k], c[k]);
                coefficients[at + k] = c[k];
            }
            at += c.length;
            x = next;
            while (d.size() >= h) {
                d.remove(d.size() - 1);
            }
        }
        double error = x.sub(exact.at(0)).abs().mean();
        return new Fit(coefficients, Double.isNaN(error) ? Double.POSITIVE_INFINITY : error);
    }

    /** The ridge least-squares corrections {@code c} of {@code residual ~ sum_k c_k columns[k]}, reweighted {@code robustPasses} times. */
    double[] solve(Tensor[] columns, Tensor residual) {
        double[] c = solve(columns, residual, null);
        for (int pass = 0; pass < robustPasses; pass++) {
            Tensor r = residual;
            for (int k = 0; k < c.length; k++) {
                r = r.linear(1, columns[k], -c[k]);
            }
            Tensor abs = r.abs();
            double floor = Math.max(1e-3 * abs.mean(), 1e-12);
            c = solve(columns, residual, abs.mul(0).add(1).div(abs.clamp(floor, Double.MAX_VALUE)));
        }
        return c;
    }

    private double[] solve(Tensor[] columns, Tensor residual, Tensor weights) {
        int k = columns.length;
        double[][] g = new double[k][k];
        double[] b = new double[k];
        for (int a = 0; a < k; a++) {
            Tensor wa = weights == null ? columns[a] : columns[a].mul(weights);
            for (int c = 0; c <= a; c++) {
                g[a][c] = wa.mul(columns[c]).sum();
                g[c][a] = g[a][c];
            }
            b[a] = wa.mul(residual).sum();
        }
        for (int a = 0; a < k; a++) {
            // the ridge relative to the column's scale; a tiny absolute floor keeps an all-zero column solvable
            g[a][a] += ridge * g[a][a] + 1e-300;
        }
        RealVector x = new LUDecomposition(new Array2DRowRealMatrix(g, false), 0).getSolver().solve(new ArrayRealVector(b, false));
        return x.toArray();
    }
}
