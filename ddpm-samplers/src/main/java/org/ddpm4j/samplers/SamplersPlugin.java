package org.ddpm4j.samplers;

import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;

/**
 * The samplers of this module, by name. Parameter names and defaults are those of the diffusers
 * scheduler a sampler stands in for, so a {@code scheduler_config.json} maps onto it key for key.
 */
public final class SamplersPlugin implements Plugin {
    // The examples of the deterministic solvers are the configurations whose order of convergence
    // SamplerContract measures (N and 2N steps from each example's steps).

    @Override
    public List<SamplerFactory> samplers() {
        return List.of(
                SamplerFactory.of(DdpmSampler.NAME, "ancestral sampling, reverse variance betaTilde or beta (Ho et al. 2020, Alg. 2)",
                        DdpmSampler::new, "DDPMScheduler"),
                SamplerFactory.of(DdimSampler.NAME, "DDIM, deterministic at eta = 0 (Song, Meng & Ermon 2021, eq. 12)",
                        DdimSampler::new, "DDIMScheduler")
                        .withExamples(List.of(
                                Map.of("timestep_spacing", "leading", "set_alpha_to_one", false, "clip_sample", false, "steps", 48))),
                SamplerFactory.of(PndmSampler.NAME, "pseudo numerical methods: Runge-Kutta warm-up, then linear multistep (Liu et al. 2022)",
                        PndmSampler::pndm, "PNDMScheduler")
                        .withExamples(List.of(Map.of("timestep_spacing", "leading", "steps", 80))),
                SamplerFactory.of(PndmSampler.PLMS, "PNDM's pseudo linear multistep alone (PNDM with skip_prk_steps)", PndmSampler::plms)
                        .withExamples(List.of(Map.of("timestep_spacing", "leading", "steps", 80))),
                SamplerFactory.of(DpmSolverMultistepSampler.NAME, "multistep DPM-Solver / DPM-Solver++, orders 1-3 (Lu et al. 2022)",
                        DpmSolverMultistepSampler::new, "DPMSolverMultistepScheduler")
                        .withExamples(List.of(
                                Map.of("solver_order", 1, "steps", 48),
                                Map.of("solver_order", 2, "lower_order_final", false, "steps", 96),
                                Map.of("solver_order", 2, "algorithm_type", "dpmsolver", "solver_type", "heun", "lower_order_final", false, "steps", 96),
                                Map.of("solver_order", 3, "lower_order_final", false, "steps", 96))),
                SamplerFactory.of("dpmsolver++", "DPM-Solver++ multistep: dpmsolver-multistep with algorithm_type = dpmsolver++ (Lu et al. 2022b)",
                        SamplersPlugin::dpmSolverPlusPlus)
                        .withExamples(List.of(Map.of("lower_order_final", false, "steps", 96))),
                SamplerFactory.of(DpmSolverSinglestepSampler.NAME, "singlestep DPM-Solver, DPM-Solver-3 at order 3 (Lu et al. 2022, Alg. 1-2)",
                        DpmSolverSinglestepSampler::new, "DPMSolverSinglestepScheduler")
                        .withExamples(List.of(
                                Map.of("solver_order", 2, "solver_type", "heun", "steps", 96),
                                Map.of("solver_order", 3, "solver_type", "heun", "steps", 48))),
                SamplerFactory.of(UniPcSampler.NAME, "unified predictor-corrector, bh1 / bh2, orders 1-3 (Zhao et al. 2023)",
                        UniPcSampler::new, "UniPCMultistepScheduler")
                        .withExamples(List.of(
                                Map.of("solver_order", 1, "lower_order_final", false, "steps", 96),
                                Map.of("solver_order", 2, "lower_order_final", false, "steps", 96),
                                Map.of("solver_order", 3, "solver_type", "bh1", "lower_order_final", false, "steps", 96))),
                SamplerFactory.of(IpndmSampler.NAME, "iPNDM: fixed Adams-Bashforth weights on the data prediction in exponential-integrator form, "
                        + "lower-order warm start, orders 1-4 (Zhang & Chen 2023)", IpndmSampler::new)
                        .withExamples(List.of(
                                Map.of("solver_order", 2, "final_sigmas_type", "sigma_min", "steps", 48),
                                Map.of("solver_order", 4, "final_sigmas_type", "sigma_min", "steps", 48),
                                Map.of("solver_order", 3, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min", "steps", 96))),
                SamplerFactory.of(BespokeSampler.NAME, "bespoke non-stationary multistep: DPM-Solver++(2M) with per-step coefficients "
                        + "learned for the model (Shaul et al. 2024; tune-steps --method bespoke)", BespokeSampler::new)
                        .withExamples(List.of(
                                Map.of("final_sigmas_type", "sigma_min", "steps", 48),
                                Map.of("timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min", "steps", 96))),
                SamplerFactory.of(EulerSampler.NAME, "Euler's method on the probability-flow ODE in sigma (Karras et al. 2022)",
                        EulerSampler::new, "EulerDiscreteScheduler")
                        .withExamples(List.of(Map.of("steps", 48))),
                SamplerFactory.of(EulerAncestralSampler.NAME, "ancestral Euler: Euler step to sigma_down plus fresh noise sigma_up (k-diffusion)",
                        EulerAncestralSampler::new, "EulerAncestralDiscreteScheduler"),
                SamplerFactory.of(HeunSampler.NAME, "Heun's second-order method in sigma (Karras et al. 2022, Alg. 1)",
                        HeunSampler::new, "HeunDiscreteScheduler")
                        .withExamples(List.of(Map.of("steps", 48))),
                SamplerFactory.of(LmsSampler.NAME, "linear multistep in sigma, order 4 (k-diffusion)", LmsSampler::new, "LMSDiscreteScheduler")
                        .withExamples(List.of(Map.of("steps", 96))),
                SamplerFactory.of(ReverseSdeSampler.NAME, "Euler-Maruyama on the reverse-time VP SDE (Song et al. 2021); continuous schedules",
                        ReverseSdeSampler::new),
                SamplerFactory.of(PredictorCorrectorSampler.NAME, "predictor-corrector: Langevin corrector with the snr step rule, "
                        + "Euler-Maruyama predictor (Song et al. 2021, Alg. 5); continuous schedules", PredictorCorrectorSampler::new),
                SamplerFactory.of(AnnealedLangevinSampler.NAME, "annealed Langevin dynamics over log-spaced noise levels (Song & Ermon 2019, NCSN); "
                        + "continuous schedules", AnnealedLangevinSampler::new),
                SamplerFactory.of(OdeSampler.NAME, "the probability-flow ODE, adaptive Dormand-Prince with rtol/atol: the accurate reference",
                        OdeSampler::new),
                SamplerFactory.of(FlowMatchSampler.Method.EULER.samplerName(), "Euler on the flow ODE dx/ds = u of a flow schedule, "
                        + "shift / dynamic shifting / stochastic (diffusers' FlowMatchEulerDiscreteScheduler)",
                        (s, p) -> new FlowMatchSampler(FlowMatchSampler.Method.EULER, s, p), "FlowMatchEulerDiscreteScheduler"),
                SamplerFactory.of(FlowMatchSampler.Method.HEUN.samplerName(), "Heun on the flow ODE of a flow schedule, second order "
                        + "(diffusers' FlowMatchHeunDiscreteScheduler)",
                        (s, p) -> new FlowMatchSampler(FlowMatchSampler.Method.HEUN, s, p), "FlowMatchHeunDiscreteScheduler"),
                SamplerFactory.of(FlowMatchSampler.Method.MIDPOINT.samplerName(), "explicit midpoint on the flow ODE of a flow schedule, "
                        + "second order", (s, p) -> new FlowMatchSampler(FlowMatchSampler.Method.MIDPOINT, s, p)),
                SamplerFactory.of(FlowOdeSampler.NAME, "the flow ODE of a flow schedule, adaptive Dormand-Prince with rtol/atol",
                        FlowOdeSampler::new));
    }

    /** The name users know DPM-Solver++ by; the multistep sampler's default algorithm. */
    private static Sampler dpmSolverPlusPlus(Schedule schedule, Parameters p) {
        String algorithm = p.getString("algorithm_type", "dpmsolver++");
        if (!algorithm.equals("dpmsolver++")) {
            throw new InvalidParameterException(p.qualify("algorithm_type"), algorithm, "must be dpmsolver++ for this sampler; "
                    + "use dpmsolver-multistep for other algorithms");
        }
        return new DpmSolverMultistepSampler(schedule, p);
    }
}
