package org.ddpm4j.backend.java;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.plugin.BackendFactory;
import org.ddpm4j.api.plugin.ClassifierFactory;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureClassifier;
import org.ddpm4j.backend.java.analytic.GaussianMixtureDenoiser;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.backend.java.JavaBackend;

/** What this module contributes: the {@code java} backend and the analytic denoisers and classifier. */
public final class JavaPlugin implements Plugin {

    @Override
    public List<BackendFactory> backends() {
        return List.of(BackendFactory.of(JavaBackend.NAME,
                "host memory, double precision, no native code (analytic denoisers, tests)", JavaPlugin::javaBackend));
    }

    /** The java backend runs on the calling thread in host memory: a threads or device setting is a mistake worth naming. */
    private static JavaBackend javaBackend(Parameters p) {
        for (String setting : List.of("threads", "device")) {
            if (p.has(setting)) {
                throw new InvalidParameterException(p.qualify(setting), p.asMap().get(setting), "the " + JavaBackend.NAME
                        + " backend has no " + setting + " setting (it computes on the calling thread, in host memory); drop it or use djl or tf");
            }
        }
        return new JavaBackend();
    }

    @Override
    public List<DenoiserFactory> denoisers() {
        return List.of(
                DenoiserFactory.of("gmm", "exact eps for Gaussian-mixture data: {path} or {weights, means, stds}; conditional=true makes components classes",
                        List.of(MIXTURE, with(MIXTURE, "conditional", true)),
                        (backend, schedule, p) -> new GaussianMixtureDenoiser(mixture(p), schedule, p.getBoolean("conditional", false))),
                DenoiserFactory.of("points", "ideal denoiser of a finite data set (softmax-weighted average of the points): {path to .npy [n, d]} or {points}",
                        List.of(Map.of("points", List.of(List.of(0.0, 1.0), List.of(1.0, 0.0), List.of(-1.0, -1.0)))),
                        (backend, schedule, p) -> new GaussianMixtureDenoiser(GaussianMixture.ofPoints(points(p)), schedule, false)));
    }

    /** A two-component mixture in 2-D: the example of the gmm denoiser and classifier. */
    private static final Map<String, Object> MIXTURE = Map.of("weights", List.of(0.3, 0.7),
            "means", List.of(List.of(-1.0, 0.5), List.of(1.0, -0.5)), "stds", List.of(0.3, 0.2));

    private static Map<String, Object> with(Map<String, Object> parameters, String key, Object value) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(parameters);
        copy.put(key, value);
        return Map.copyOf(copy);
    }

    @Override
    public List<ClassifierFactory> classifiers() {
        return List.of(ClassifierFactory.of("gmm",
                "exact p(y | x_t) of a Gaussian mixture whose components are the classes: {path} or {weights, means, stds}",
                List.of(Map.of()), (backend, schedule, p) -> new GaussianMixtureClassifier(mixture(p), schedule)));
    }

    private static GaussianMixture mixture(Parameters p) {
        if (p.has("path")) {
            return GaussianMixture.fromParameters(Parameters.of(Json.readObject(Path.of(p.requireString("path"))))
                    .scoped(p.qualify("path")));
        }
        return GaussianMixture.fromParameters(p);
    }

    private static double[][] points(Parameters p) {
        if (p.has("path")) {
            Npy.Array a = Npy.read(Path.of(p.requireString("path")));
            if (a.shape().length != 2 || a.shape()[0] == 0) {
                throw new InvalidParameterException(p.qualify("path"), java.util.Arrays.toString(a.shape()),
                        "must hold a non-empty [n, d] array of points");
            }
            return a.rows();
        }
        return p.requireDoubleMatrix("points");
    }
}
