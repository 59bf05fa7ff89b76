package org.ddpm4j.agreement;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;

/**
 * Random weights in the neutral format ({@code weights/<name>}, PyTorch layouts) for a network's
 * names and shapes. Fresh networks are no good for agreement tests: the layers that end residual
 * branches start at zero, so most of the network would not be exercised.
 */
final class NeutralWeights {
    private NeutralWeights() {
    }

    /**
     * For every {@code weights/*} array of {@code template}: matrices and kernels
     * {@code N(0, 1/fan_in)} (embeddings {@code N(0, 1)}), vectors {@code 0.1 N(0, 1)}, plus 1 for
     * group-norm scales, so activations stay of order 1 through the whole network.
     */
    static Map<String, HostArray> random(Map<String, HostArray> template, long seed) {
        GaussianNoise noise = new GaussianNoise(seed);
        Map<String, HostArray> weights = new LinkedHashMap<>();
        template.forEach((key, array) -> {
            if (!key.startsWith("weights/")) {
                return;
            }
            int[] shape = array.shape();
            float[] v = noise.nextFloats(array.data().length);
            double scale;
            double offset = 0;
            if (shape.length >= 2) {
                int fanIn = array.data().length / shape[0];
                scale = key.contains("embedding") ? 1 : 1 / Math.sqrt(fanIn);
            } else {
                scale = 0.1;
                offset = key.contains("norm") && key.endsWith(".weight") ? 1 : 0;
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (offset + scale * v[i]);
            }
            weights.put(key, new HostArray(shape, v));
        });
        return weights;
    }
}
