package org.ddpm4j.samplers;

import java.util.List;
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

    @Override
    public List<SamplerFactory> samplers() {
        return List.of(
                SamplerFactory.of(DdpmSampler.NAME, "ancestral sampling, reverse variance betaTilde or beta (Ho et al. 2020, Alg. 2)",
                        DdpmSampler::new, "DDPMScheduler"),
                SamplerFactory.of(DdimSampler.NAME, "DDIM, deterministic at eta = 0 (Song, Meng & Ermon 2021, eq. 12)",
                        DdimSampler::new, "DDIMScheduler"),
                SamplerFactory.of(PndmSampler.NAME, "pseudo numerical methods: Runge-Kutta warm-up, then linear multistep (Liu et al. 2022)",
                        PndmSampler::pndm, "PNDMScheduler"),
                SamplerFactory.of(PndmSampler.PLMS, "PNDM's pseudo linear multistep alone (PNDM with skip_prk_steps)", PndmSampler::plms),
                SamplerFactory.of(DpmSolverMultistepSampler.NAME, "multistep DPM-Solver / DPM-Solver++, orders 1-3 (Lu et al. 2022)",
                        DpmSolverMultistepSampler::new, "DPMSolverMultistepScheduler"),
                SamplerFactory.of("dpmsolver++", "DPM-Solver++ multistep: dpmsolver-multistep with algorithm_type = dpmsolver++ (Lu et al. 2022b)",
                        SamplersPlugin::dpmSolverPlusPlus),
                SamplerFactory.of(DpmSolverSinglestepSampler.NAME, "singlestep DPM-Solver, DPM-Solver-3 at order 3 (Lu et al. 2022, Alg. 1-2)",
                        DpmSolverSinglestepSampler::new, "DPMSolverSinglestepScheduler"),
                SamplerFactory.of(UniPcSampler.NAME, "unified predictor-corrector, bh1 / bh2, orders 1-3 (Zhao et al. 2023)",
                        UniPcSampler::new, "UniPCMultistepScheduler"),
                SamplerFactory.of(EulerSampler.NAME, "Euler's method on the probability-flow ODE in sigma (Karras et al. 2022)",
                        EulerSampler::new, "EulerDiscreteScheduler"),
                SamplerFactory.of(EulerAncestralSampler.NAME, "ancestral Euler: Euler step to sigma_down plus fresh noise sigma_up (k-diffusion)",
                        EulerAncestralSampler::new, "EulerAncestralDiscreteScheduler"),
                SamplerFactory.of(HeunSampler.NAME, "Heun's second-order method in sigma (Karras et al. 2022, Alg. 1)",
                        HeunSampler::new, "HeunDiscreteScheduler"),
                SamplerFactory.of(LmsSampler.NAME, "linear multistep in sigma, order 4 (k-diffusion)", LmsSampler::new, "LMSDiscreteScheduler"),
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
