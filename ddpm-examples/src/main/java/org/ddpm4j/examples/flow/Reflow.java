package org.ddpm4j.examples.flow;

import java.util.function.IntConsumer;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.sampling.StepEvent;
import org.ddpm4j.api.sampling.StepListener;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.core.training.ArrayData;

/**
 * Rectified flow's reflow (Liu, Gong &amp; Liu 2022): the couplings {@code (z, x_1 = ODE(z))} of a trained
 * flow, on which the next flow is trained with {@code Trainer.trainCoupled}; and their straightness
 * {@code S = int_0^1 E ||(x_data - z) / (0 - 1) - u(x_s, s)||^2 ds}, zero exactly when every path is a
 * straight line travelled at constant speed (then one Euler step is exact).
 */
public final class Reflow {
    /** Points pushed through the ODE at once. */
    private static final int CHUNK = 4096;
    /** At most this many values per chunk, so that an image network's activations stay bounded (about 1,300 28 x 28 images). */
    private static final int CHUNK_VALUES = 1 << 20;

    private Reflow() {
    }

    /**
     * {@code 1, 1 - 1/n, ..., 1/n}: n equal steps of the path time (then 0), the flow samplers' {@code sigmas}
     * for a fair comparison at n steps (diffusers' default grid ends at 1/1000, so that its 2 steps are one).
     */
    public static java.util.List<Double> uniformSigmas(int n) {
        java.util.List<Double> s = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            s.add(1 - (double) i / n);
        }
        return s;
    }

    /** The ODE sampler that generates couplings: Heun with {@code steps} steps, as a pipeline's sampler entry. */
    public static ComponentConfig sampler(int steps) {
        return new ComponentConfig("flow-heun", java.util.Map.of("steps", steps));
    }

    /**
     * {@code n} couplings of an unconditional {@code teacher}: noise from {@code seed}, pushed to data by
     * {@code sampler}; as training pairs {@code [x_1, z]} of shape {@code [2, ...sampleShape]}.
     */
    public static ArrayData couplings(Denoiser teacher, Sampler sampler, int[] sampleShape, int n, long seed, TensorBackend backend) {
        return couplings(teacher, sampler, sampleShape, n, 0, seed, backend, done -> { });
    }

    /**
     * {@code n} couplings of {@code teacher}, labelled when {@code numClasses > 0}: pair {@code i} is
     * generated for class {@code i mod numClasses} (every class equally often) by the teacher as given,
     * so a guided teacher (classifier-free guidance at some scale) puts its guidance into the couplings,
     * and the flow trained on them learns the guided flow of each class. {@code progress} is told the
     * number of couplings done after every chunk.
     */
    public static ArrayData couplings(Denoiser teacher, Sampler sampler, int[] sampleShape, int n, int numClasses, long seed,
                                      TensorBackend backend, IntConsumer progress) {
        int d = 1;
        for (int s : sampleShape) {
            d *= s;
        }
        float[] pairs = new float[Math.multiplyExact(Math.multiplyExact(n, 2), d)];
        int[] labels = numClasses > 0 ? new int[n] : null;
        GaussianNoise noise = new GaussianNoise(seed);
        int chunk = Math.max(1, Math.min(CHUNK, CHUNK_VALUES / d));
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            int[] shape = new int[sampleShape.length + 1];
            shape[0] = m;
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            SampleOptions options = SampleOptions.defaults();
            if (labels != null) {
                int[] chunkLabels = new int[m];
                for (int i = 0; i < m; i++) {
                    chunkLabels[i] = (start + i) % numClasses;
                    labels[start + i] = chunkLabels[i];
                }
                options = options.withCondition(Condition.classes(chunkLabels));
            }
            try (TensorScope scope = backend.openScope()) {
                Tensor z = backend.randn(noise, shape);
                float[] zs = z.toFloatArray();
                float[] xs = sampler.sample(teacher, z, options).toFloatArray();
                for (int i = 0; i < m; i++) {
                    System.arraycopy(xs, i * d, pairs, (start + i) * 2 * d, d);
                    System.arraycopy(zs, i * d, pairs, ((start + i) * 2 + 1) * d, d);
                }
            }
            progress.accept(start + m);
        }
        int[] pairShape = new int[sampleShape.length + 1];
        pairShape[0] = 2;
        System.arraycopy(sampleShape, 0, pairShape, 1, sampleShape.length);
        return new ArrayData(pairs, pairShape, labels, numClasses);
    }

    /**
     * Liu et al.'s straightness of {@code model}'s flow from {@code noise}, by Euler's method with
     * {@code steps} uniform steps in s ({@code samplers} makes the flow-euler sampler on {@code flow}): the mean over steps and points of
     * {@code ||(x_end - x_start) / (s_end - s_start) - u_i||^2} (per point, summed over coordinates).
     */
    public static double straightness(Denoiser model, FlowSchedule flow, java.util.function.Function<ComponentConfig, Sampler> samplers,
                                      Tensor noise, int steps) {
        return straightness(model, flow, samplers, noise, SampleOptions.defaults(), steps);
    }

    /**
     * The straightness of {@code model}'s flow from {@code noise} under {@code options} (a class
     * condition, a seed; their listener is replaced), for any sample shape. With Euler's velocities
     * {@code u_i} on steps of weights {@code w_i = ds_i / span} (summing to 1) and the straight velocity
     * {@code c = sum_i w_i u_i = (x_end - x_start) / span}, {@code sum_i w_i ||c - u_i||^2 = sum_i w_i ||u_i||^2 - ||c||^2}:
     * accumulated step by step, so only two states are held, whatever the number of steps.
     */
    public static double straightness(Denoiser model, FlowSchedule flow, java.util.function.Function<ComponentConfig, Sampler> samplers,
                                      Tensor noise, SampleOptions options, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("straightness needs at least one Euler step, not " + steps);
        }
        Sampler euler = samplers.apply(new ComponentConfig("flow-euler", java.util.Map.of("sigmas", uniformSigmas(steps))));
        double[] sigmas = ((org.ddpm4j.samplers.FlowMatchSampler) euler).sigmas();
        double span = sigmas[steps] - sigmas[0];
        double[] start = noise.toDoubleArray();
        double[][] previous = {start};
        double[] speed = {0}; // sum over steps and points of w_i ||u_i||^2
        StepListener record = new StepListener() {
            @Override
            public void onStep(StepEvent e) {
                // the run reports the variance-preserving point; the flow's own point is scale(s) times it
                double[] state = e.state().mul(flow.path().scale(flow.pathTime(e.time()))).toDoubleArray();
                double ds = sigmas[e.step()] - sigmas[e.step() - 1];
                double sum = 0;
                for (int j = 0; j < state.length; j++) {
                    double u = (state[j] - previous[0][j]) / ds; // Euler's velocity of this step
                    sum += u * u;
                }
                speed[0] += sum * (ds / span);
                previous[0] = state;
            }
        };
        euler.sample(model, noise, options.withListener(record));
        double straight = 0;
        for (int j = 0; j < start.length; j++) {
            double c = (previous[0][j] - start[j]) / span;
            straight += c * c;
        }
        return Math.max(0, speed[0] - straight) / noise.batchSize();
    }
}
