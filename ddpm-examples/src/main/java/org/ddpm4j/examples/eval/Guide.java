package org.ddpm4j.examples.eval;

import java.util.Map;
import java.util.function.DoubleFunction;
import org.ddpm4j.api.guidance.GuidanceContext;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.schedule.Schedule;
import java.util.function.Function;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.toolkit.guidance.Unconditional;

/**
 * What a guidance sweep varies: the guidance ({@code none} for one unguided run of an unconditional
 * model under cfg), the number of classes it targets, the guided denoiser at a scale, and the
 * guidance's configuration at a scale ({@code null} where the model is sampled without a guidance
 * plugin: unguided, or a distilled student with its guidance built in), by which a model card's
 * step schedule tuned under that guidance is found.
 */
public record Guide(String name, int classes, DoubleFunction<Denoiser> at, DoubleFunction<ComponentConfig> config) {
    /** Classifier-free guidance (Ho & Salimans 2022). */
    public static final String CFG = "cfg";
    /** Classifier guidance by a noisy classifier (Dhariwal & Nichol 2021). */
    public static final String CLASSIFIER = "classifier";

    /** Whether it guides toward classes (otherwise one unguided run). */
    public boolean guided() {
        return classes > 0;
    }

    /** The symbol of the scale: w for cfg, s for classifier guidance (as in the papers and 'ddpm sample --scale'). */
    public String symbol() {
        return name.equals(CLASSIFIER) ? "s" : "w";
    }

    /**
     * Classifier-free guidance of a class-conditional {@code model} by the {@code cfg} plugin
     * ({@code guidances} makes a guidance from a configuration entry, e.g. {@code Pipeline::guidance});
     * an unconditional model is not guided.
     */
    public static Guide classifierFree(Function<ComponentConfig, Guidance> guidances, Denoiser model, Schedule schedule) {
        return classifierFree(guidances, model, schedule, Map.of());
    }

    /** Classifier-free guidance with further {@code cfg} parameters ({@code thresholding}, {@code guidance_rescale}). */
    public static Guide classifierFree(Function<ComponentConfig, Guidance> guidances, Denoiser model, Schedule schedule,
                                       Map<String, Object> parameters) {
        if (model.numClasses() == 0) {
            return new Guide("none", 0, w -> model, w -> null);
        }
        GuidanceContext context = GuidanceContext.of(schedule);
        DoubleFunction<ComponentConfig> config = w -> {
            Map<String, Object> p = new java.util.LinkedHashMap<>(parameters);
            p.put("scale", w);
            return new ComponentConfig(CFG, p);
        };
        return new Guide(CFG, model.numClasses(), w -> guidances.apply(config.apply(w)).guide(model, context), config);
    }

    /**
     * A class-conditional {@code student} with classifier-free guidance at {@code w} built in by
     * distillation (Meng et al. 2023): sampled per class as it is, at the one scale {@code w}.
     */
    public static Guide distilled(Denoiser student, double w) {
        return new Guide(CFG + " (distilled)", student.numClasses(), s -> {
            if (s != w) {
                throw new IllegalArgumentException("this student has guidance w = " + w + " built in, not " + s);
            }
            return student;
        }, s -> null);
    }

    /**
     * Classifier guidance by {@code noisy} of the unconditional prediction of {@code model} (a
     * conditional model's null class), by the {@code classifier} plugin.
     */
    public static Guide classifier(Function<ComponentConfig, Guidance> guidances, Denoiser model, Schedule schedule, Classifier noisy) {
        Denoiser unconditional = Unconditional.of(model);
        GuidanceContext context = GuidanceContext.of(schedule).withClassifier(noisy);
        DoubleFunction<ComponentConfig> config = s -> new ComponentConfig(CLASSIFIER, Map.of("scale", s));
        return new Guide(CLASSIFIER, noisy.numClasses(), s -> guidances.apply(config.apply(s)).guide(unconditional, context), config);
    }
}
