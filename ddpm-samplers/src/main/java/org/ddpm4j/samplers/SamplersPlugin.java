package org.ddpm4j.samplers;

import java.util.List;
import java.util.function.BiFunction;
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
                factory(DdpmSampler.NAME, "ancestral sampling, reverse variance betaTilde or beta (Ho et al. 2020, Alg. 2)",
                        DdpmSampler::new, "DDPMScheduler"),
                factory(DdimSampler.NAME, "DDIM, deterministic at eta = 0 (Song, Meng & Ermon 2021, eq. 12)",
                        DdimSampler::new, "DDIMScheduler"),
                factory(PndmSampler.NAME, "pseudo numerical methods: Runge-Kutta warm-up, then linear multistep (Liu et al. 2022)",
                        PndmSampler::pndm, "PNDMScheduler"),
                factory(PndmSampler.PLMS, "PNDM's pseudo linear multistep alone (PNDM with skip_prk_steps)", PndmSampler::plms),
                factory(DpmSolverMultistepSampler.NAME, "multistep DPM-Solver / DPM-Solver++, orders 1-3 (Lu et al. 2022)",
                        DpmSolverMultistepSampler::new, "DPMSolverMultistepScheduler"),
                factory(DpmSolverSinglestepSampler.NAME, "singlestep DPM-Solver, DPM-Solver-3 at order 3 (Lu et al. 2022, Alg. 1-2)",
                        DpmSolverSinglestepSampler::new, "DPMSolverSinglestepScheduler"),
                factory(UniPcSampler.NAME, "unified predictor-corrector, bh1 / bh2, orders 1-3 (Zhao et al. 2023)",
                        UniPcSampler::new, "UniPCMultistepScheduler"),
                factory(EulerSampler.NAME, "Euler's method on the probability-flow ODE in sigma (Karras et al. 2022)",
                        EulerSampler::new, "EulerDiscreteScheduler"),
                factory(EulerAncestralSampler.NAME, "ancestral Euler: Euler step to sigma_down plus fresh noise sigma_up (k-diffusion)",
                        EulerAncestralSampler::new, "EulerAncestralDiscreteScheduler"),
                factory(HeunSampler.NAME, "Heun's second-order method in sigma (Karras et al. 2022, Alg. 1)",
                        HeunSampler::new, "HeunDiscreteScheduler"),
                factory(LmsSampler.NAME, "linear multistep in sigma, order 4 (k-diffusion)", LmsSampler::new, "LMSDiscreteScheduler"),
                factory(ReverseSdeSampler.NAME, "Euler-Maruyama on the reverse-time VP SDE (Song et al. 2021); continuous schedules",
                        ReverseSdeSampler::new),
                factory(PredictorCorrectorSampler.NAME, "predictor-corrector: Langevin corrector with the snr step rule, "
                        + "Euler-Maruyama predictor (Song et al. 2021, Alg. 5); continuous schedules", PredictorCorrectorSampler::new),
                factory(AnnealedLangevinSampler.NAME, "annealed Langevin dynamics over log-spaced noise levels (Song & Ermon 2019, NCSN); "
                        + "continuous schedules", AnnealedLangevinSampler::new),
                factory(OdeSampler.NAME, "the probability-flow ODE, adaptive Dormand-Prince with rtol/atol: the accurate reference",
                        OdeSampler::new));
    }

    private static SamplerFactory factory(String name, String description, BiFunction<Schedule, Parameters, Sampler> create,
                                          String... diffusersClasses) {
        return new SamplerFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public Sampler create(Schedule schedule, Parameters parameters) {
                return create.apply(schedule, parameters);
            }

            @Override
            public List<String> diffusersClassNames() {
                return List.of(diffusersClasses);
            }
        };
    }
}
