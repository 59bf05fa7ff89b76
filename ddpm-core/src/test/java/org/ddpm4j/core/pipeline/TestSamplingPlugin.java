package org.ddpm4j.core.pipeline;

import java.util.List;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.plugin.GuidanceFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.toolkit.sampling.BaseSampler;
import org.ddpm4j.toolkit.sampling.ModelOutput;
import org.ddpm4j.toolkit.sampling.NoiseLevel;
import org.ddpm4j.toolkit.sampling.SamplerParameters;
import org.ddpm4j.toolkit.sampling.UpdateRule;

/** A sampler and a guidance for the composition tests of core, which cannot depend on ddpm-samplers or ddpm-guidance. */
public final class TestSamplingPlugin implements Plugin {

    @Override
    public List<SamplerFactory> samplers() {
        return List.of(SamplerFactory.of("test-ddim", "deterministic DDIM on evenly spaced steps", TestDdim::new));
    }

    @Override
    public List<GuidanceFactory> guidances() {
        return List.of(GuidanceFactory.of("test-scale", "multiplies the prediction by 'factor'", p -> new Scale(p.getDouble("factor", 2))));
    }

    /** DDIM with eta = 0: {@code x_next = alpha_next x0 + sigma_next eps}. */
    static final class TestDdim extends BaseSampler {
        TestDdim(Schedule schedule, Parameters p) {
            super("test-ddim", schedule, grid(SamplerParameters.discrete(schedule, "test-ddim"), SamplerParameters.steps(p, 1000, 10)));
        }

        private static double[] grid(DiscreteSchedule schedule, int steps) {
            double[] t = new double[steps];
            for (int i = 0; i < steps; i++) {
                t[i] = Math.round((schedule.trainSteps() - 1) * (double) (steps - i) / steps);
            }
            return t;
        }

        @Override
        protected UpdateRule newRule() {
            return (i, x, step) -> {
                double t = timesteps()[i];
                NoiseLevel now = NoiseLevel.ofAlphaBar(schedule().alphaBar(t));
                NoiseLevel next = i + 1 < steps() ? NoiseLevel.ofAlphaBar(schedule().alphaBar(timesteps()[i + 1])) : new NoiseLevel(1, 0);
                ModelOutput out = step.model(x, t);
                return out.x0(now).linear(next.alpha(), out.eps(now), next.sigma());
            };
        }
    }

    /** Multiplies the model's prediction. */
    record Scale(double factor) implements Guidance {
        @Override
        public String name() {
            return "test-scale";
        }

        @Override
        public Denoiser guide(Denoiser model, GuidanceContext context) {
            return new Denoiser() {
                @Override
                public Parameterization parameterization() {
                    return model.parameterization();
                }

                @Override
                public Tensor predict(Tensor x, double[] t, Condition condition) {
                    return model.predict(x, t, condition).mul(factor);
                }
            };
        }
    }
}
