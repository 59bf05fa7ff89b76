package org.ddpm4j.backend.tf;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npz;

/**
 * A fixture written by {@code tools/networks-reference/reference.py} (PyTorch): the network spec,
 * random weights in the neutral format, a batch and what PyTorch computed for it.
 */
record ReferenceCase(Map<String, Object> json, Map<String, HostArray> arrays) {

    static ReferenceCase load(String name) {
        try {
            Path dir = Path.of(ReferenceCase.class.getResource("/reference/" + name + ".json").toURI()).getParent();
            return new ReferenceCase(Json.readObject(dir.resolve(name + ".json")), Npz.read(dir.resolve(name + ".npz")));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    NetworkSpec spec() {
        return new NetworkSpec((String) json.get("architecture"),
                ((List<Number>) json.get("sample_shape")).stream().mapToInt(Number::intValue).toArray(),
                ((Number) json.get("num_classes")).intValue(),
                Parameterization.parse("parameterization", (String) json.get("parameterization")),
                Parameters.of((Map<String, Object>) json.get("hyperparameters")));
    }

    /** The arrays under {@code prefix}, with the prefix replaced by {@code as}. */
    Map<String, HostArray> withPrefix(String prefix, String as) {
        Map<String, HostArray> m = new LinkedHashMap<>();
        arrays.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(as + k.substring(prefix.length()), v);
            }
        });
        return m;
    }

    Map<String, HostArray> weights() {
        return withPrefix("weights/", "weights/");
    }

    HostArray get(String name) {
        HostArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no array " + name + " in the fixture");
        }
        return a;
    }

    double[] doubles(String name) {
        float[] f = get(name).data();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    int[] ints(String name) {
        float[] f = get(name).data();
        int[] d = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = Math.round(f[i]);
        }
        return d;
    }

    /** The labels of the batch as a condition (none for an unconditional network). */
    Condition condition(String name, int numClasses) {
        return numClasses == 0 ? Condition.none() : Condition.classes(ints(name));
    }
}
