package org.ddpm4j.backend.tf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;

/**
 * Checks a state in the neutral format against a network before anything of it is used: the
 * names and shapes of {@code docs/NETWORKS.md}, nothing missing, nothing unexpected. The error
 * names the first offending array.
 */
final class StateCheck {
    private static final String STEP = "adam_step";
    private static final List<String> OPTIONAL = List.of("ema/", "adam_m/", "adam_v/");

    private StateCheck() {
    }

    static void check(Map<String, HostArray> state, List<Parameter> parameters, String architecture) {
        Map<String, int[]> expected = new HashMap<>();
        for (Parameter p : parameters) {
            expected.put("weights/" + p.name(), p.shape());
            for (String prefix : OPTIONAL) {
                expected.put(prefix + p.name(), p.shape());
            }
        }
        boolean adam = state.containsKey(STEP);
        for (Parameter p : parameters) {
            require(state, "weights/" + p.name(), p, architecture);
            if (adam) {
                require(state, "adam_m/" + p.name(), p, architecture);
                require(state, "adam_v/" + p.name(), p, architecture);
            }
        }
        for (Map.Entry<String, HostArray> e : state.entrySet()) {
            String key = e.getKey();
            int[] shape = e.getValue().shape();
            if (key.equals(STEP)) {
                float step = e.getValue().data().length == 1 ? e.getValue().data()[0] : -1;
                if (shape.length > 1 || !(step >= 0) || step != Math.rint(step)) {
                    throw new InvalidParameterException("state", key, "must be one non-negative integer, was " + Arrays.toString(e.getValue().data()));
                }
            } else if (!expected.containsKey(key)) {
                throw new InvalidParameterException("state", key, "is not an array of this " + architecture
                        + " network; its parameters are " + names(parameters));
            } else if (!Arrays.equals(shape, expected.get(key))) {
                throw new InvalidParameterException("state", key, "has shape " + Arrays.toString(shape) + " but the "
                        + architecture + " network needs " + Arrays.toString(expected.get(key)));
            }
        }
        if (!adam && state.keySet().stream().anyMatch(k -> k.startsWith("adam_"))) {
            String first = state.keySet().stream().filter(k -> k.startsWith("adam_")).findFirst().orElseThrow();
            throw new InvalidParameterException("state", first, "Adam moments without " + STEP);
        }
    }

    private static void require(Map<String, HostArray> state, String key, Parameter p, String architecture) {
        if (!state.containsKey(key)) {
            throw new InvalidParameterException("state", key, "is missing: the " + architecture + " network needs it, shape "
                    + Arrays.toString(p.shape()) + " (does the model card match the weights?)");
        }
    }

    private static String names(List<Parameter> parameters) {
        String all = String.join(", ", parameters.stream().map(Parameter::name).toList());
        return all.length() > 200 ? all.substring(0, 200) + " ..." : all;
    }
}
