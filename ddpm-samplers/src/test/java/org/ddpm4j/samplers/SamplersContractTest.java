package org.ddpm4j.samplers;

import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.GaussianDataDenoiser;
import org.ddpm4j.testkit.SamplerContract;

/**
 * Every sampler that {@link SamplersPlugin} lists passes the sampler contract: a new one is tested
 * without editing a test. The flow samplers ({@code flow-*}) run on the contract's flow path with a
 * velocity model; FlowSamplerTest, FlowMatchDiffusersTest and GaussianPathTest test them further.
 * Orders of convergence of the diffusion samplers are measured on a harder problem than the contract's
 * Gaussian data: the 2-D mixture of three Gaussians, against the adaptive solver at tolerance 1e-11.
 */
class SamplersContractTest extends SamplerContract {
    private static final ProbabilityFlowOde EXACT = new ProbabilityFlowOde(Mixtures.linear(), 1e-11, 1e-11, ProbabilityFlowOde.Method.DOPRI8, 1_000_000);

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }

    @Override
    protected Schedule orderSchedule() {
        return Mixtures.linear();
    }

    /** The mixture on a diffusion schedule; on a flow path the contract's Gaussian data, whose velocity model is exact at pure noise. */
    @Override
    protected Denoiser orderModel(Schedule schedule) {
        return schedule instanceof FlowSchedule ? super.orderModel(schedule) : Mixtures.denoiser(schedule);
    }

    @Override
    protected Tensor orderNoise() {
        return Mixtures.noise(64, 7);
    }

    @Override
    protected Tensor exactFlow(Denoiser model, Tensor start, double from, double to) {
        return model instanceof GaussianDataDenoiser ? super.exactFlow(model, start, from, to) : EXACT.solve(model, start, from, to, Condition.none());
    }
}
