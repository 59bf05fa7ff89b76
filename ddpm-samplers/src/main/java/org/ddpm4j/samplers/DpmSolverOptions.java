package org.ddpm4j.samplers;

import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The options DPM-Solver's multistep and singlestep forms share, with diffusers' keys:
 * {@code solver_order} (1..3), {@code algorithm_type} (dpmsolver++: the model read as x_0;
 * dpmsolver: as eps), {@code solver_type} (midpoint | heun), {@code final_sigmas_type}, the
 * thresholding keys, and the keys diffusers writes for features not supported here.
 */
record DpmSolverOptions(int order, boolean dataPrediction, boolean heun, boolean finalZero, PredictionClipping clipping) {

    static DpmSolverOptions read(Parameters p, String sampler) {
        int order = Checks.closed(p.qualify("solver_order"), p.getInt("solver_order", 2), 1, 3);
        // diffusers reads "deis" as dpmsolver++, and UniPC's and DEIS's solver types as midpoint
        String algorithm = p.getString("algorithm_type", "dpmsolver++");
        boolean data = algorithm.equals("deis") || p.getChoice("algorithm_type", "dpmsolver++", "dpmsolver++", "dpmsolver").equals("dpmsolver++");
        String type = p.getString("solver_type", "midpoint");
        boolean heun = !type.equals("bh1") && !type.equals("bh2") && !type.equals("logrho")
                && p.getChoice("solver_type", "midpoint", "midpoint", "heun").equals("heun");
        boolean finalZero = SolverSteps.finalZero(p);
        if (!data && finalZero) {
            throw new InvalidParameterException(p.qualify("final_sigmas_type"), "zero",
                    "is not supported with algorithm_type dpmsolver (a noise prediction cannot jump to sigma = 0); use sigma_min");
        }
        // diffusers' learned / learned_range: the solver reads the prediction channels only, which
        // every sampler of the kit does for a denoiser with a variance output (ModelOutput.raw)
        Object variance = p.asMap().get("variance_type");
        if (variance != null && !variance.equals("learned") && !variance.equals("learned_range")) {
            throw new InvalidParameterException(p.qualify("variance_type"), variance, "is not supported by sampler '" + sampler
                    + "'; allowed: null, learned, learned_range (the prediction part of the model's output is used)");
        }
        p.markUsed("variance_type");
        SamplerParameters.requireFalse(p, sampler, "use_flow_sigmas", "use_dynamic_shifting");
        SamplerParameters.ignored(p, "flow_shift", "time_shift_type");
        return new DpmSolverOptions(order, data, heun, finalZero, PredictionClipping.read(p, null));
    }

    /**
     * The prediction the solver is written in: x_0 (clipped or thresholded), or eps (thresholded
     * through x_0 at the training step's own noise level, as diffusers).
     */
    Tensor prediction(ModelOutput out, Tensor x, double t, NoiseLevel level, DiscreteSchedule schedule) {
        if (dataPrediction) {
            return clipping.apply(out.x0(level));
        }
        Tensor eps = out.eps(level);
        if (!clipping.active()) {
            return eps;
        }
        NoiseLevel table = NoiseLevel.ofAlphaBar(schedule.alphaBar(t));
        Tensor x0 = clipping.apply(x.linear(1 / table.alpha(), eps, -table.sigma() / table.alpha()));
        return x.linear(1 / table.sigma(), x0, -table.alpha() / table.sigma());
    }

    /** The exponential step from level {@code s} to {@code t} in this algorithm's form. */
    ExponentialStep step(NoiseLevel s, NoiseLevel t) {
        return ExponentialStep.between(s, t, dataPrediction);
    }

    /** The weight of {@code D1} in a second-order update: {@code phi_2} (heun) or {@code phi_1 / 2} (midpoint). */
    double secondOrderWeight(ExponentialStep e) {
        return heun ? -e.scale() * e.phi2() : -0.5 * e.scale() * e.phi1();
    }
}
