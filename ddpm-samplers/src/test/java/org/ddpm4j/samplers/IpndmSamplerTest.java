package org.ddpm4j.samplers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.SamplingRun;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * iPNDM's fixed weights against DPM-Solver++ multistep, whose weights follow the actual step
 * lengths: at order 1 both are DDIM on any spacing; at order 2 they agree where the steps are of
 * equal length in log-SNR ({@code (3 D0 - D1) / 2} is DPM-Solver++(2M)'s midpoint form with r = 1).
 */
class IpndmSamplerTest {

    private static Tensor run(String name, Object... keysAndValues) {
        Schedule s = Mixtures.linear();
        Sampler sampler = Mixtures.REGISTRY.createSampler(name, s, Parameters.of(keysAndValues));
        try (SamplingRun r = sampler.start(Mixtures.denoiser(s), Mixtures.noise(32, 4), SampleOptions.defaults())) {
            while (!r.isDone()) {
                r.step();
            }
            return r.result();
        }
    }

    private static double maxDifference(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @Test
    void orderOneIsDdimOnAnySpacing() {
        Tensor ipndm = run("ipndm", "solver_order", 1, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min", "steps", 7);
        Tensor dpm = run("dpmsolver-multistep", "solver_order", 1, "timestep_spacing", "quadratic", "final_sigmas_type", "sigma_min", "steps", 7);
        assertTrue(maxDifference(ipndm, dpm) < 1e-12, "difference " + maxDifference(ipndm, dpm));
    }

    @Test
    void orderTwoIsDpmSolverPlusPlus2mOnEqualLogSnrStepsOnly() {
        Object[] common = {"solver_order", 2, "final_sigmas_type", "sigma_min", "steps", 8, "lower_order_final", false};
        Tensor dpm = run("dpmsolver-multistep", append(common, "timestep_spacing", "logsnr"));
        Tensor ipndm = run("ipndm", "solver_order", 2, "final_sigmas_type", "sigma_min", "steps", 8);
        assertTrue(maxDifference(ipndm, dpm) < 1e-6, "logsnr: difference " + maxDifference(ipndm, dpm));
        // on unequal steps the fixed weights differ, by far more than rounding
        Tensor dpmQuadratic = run("dpmsolver-multistep", append(common, "timestep_spacing", "quadratic"));
        Tensor ipndmQuadratic = run("ipndm", "solver_order", 2, "final_sigmas_type", "sigma_min", "steps", 8, "timestep_spacing", "quadratic");
        assertTrue(maxDifference(ipndmQuadratic, dpmQuadratic) > 1e-3, "quadratic: difference " + maxDifference(ipndmQuadratic, dpmQuadratic));
    }

    @Test
    void rejectsAnOrderAboveFour() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> run("ipndm", "solver_order", 5));
        assertTrue(e.getMessage().contains("solver_order"), e.getMessage());
    }

    private static Object[] append(Object[] a, Object... more) {
        Object[] r = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, r, a.length, more.length);
        return r;
    }
}
