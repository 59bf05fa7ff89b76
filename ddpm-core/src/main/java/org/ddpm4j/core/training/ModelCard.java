package org.ddpm4j.core.training;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.model.VarianceOutput;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.core.config.ComponentConfig;
import org.ddpm4j.toolkit.io.Json;

/**
 * What a saved model is, as JSON next to its weights ({@code model-card.json}): the network
 * (architecture, hyper-parameters, sample shape, classes), what it predicts, the schedule it was
 * trained with and a free-form description of its data. Everything {@code sample} needs to use the
 * model without further options.
 *
 * @param kind         {@code denoiser} or {@code classifier}
 * @param spec         the network
 * @param classNames   names of the classes (may be empty even when the model has classes)
 * @param schedule     the schedule plugin and its parameters
 * @param backend      the backend that trained the model (informative: weights load on every backend)
 * @param data         free-form facts about the training data (dataset, value range, ...)
 * @param objective    the training objective ({@code Objective.describe()}: {@code type} denoising or
 *                     flow-matching, flow matching's time distribution, the {@code loss} of a learned
 *                     variance); empty for classifiers and older cards (denoising). The network's
 *                     {@code variance_output} (learned_range) is recorded next to its parameterization.
 * @param stepSchedules step schedules optimized for this model by {@code ddpm tune-steps} (see {@link #withStepSchedule})
 */
public record ModelCard(String kind, NetworkSpec spec, List<String> classNames, ComponentConfig schedule, String backend,
                        Map<String, Object> data, Map<String, Object> objective, List<Map<String, Object>> stepSchedules) {
    public static final String FORMAT = "ddpm4j-model/1";
    public static final String FILE = "model-card.json";

    public ModelCard {
        if (!kind.equals("denoiser") && !kind.equals("classifier")) {
            throw new IllegalArgumentException("kind must be denoiser or classifier, was " + kind);
        }
        classNames = List.copyOf(classNames);
        data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
        objective = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(objective));
        stepSchedules = List.copyOf(stepSchedules);
    }

    /** A card without optimized step schedules. */
    public ModelCard(String kind, NetworkSpec spec, List<String> classNames, ComponentConfig schedule, String backend, Map<String, Object> data,
                     Map<String, Object> objective) {
        this(kind, spec, classNames, schedule, backend, data, objective, List.of());
    }

    /**
     * This card with {@code entry} among its step schedules (written by {@code ddpm tune-steps}:
     * {@code sampler}, its {@code parameters}, the {@code guidance} it was tuned under if any, and
     * {@code timesteps} per number of evaluations, and for a learned solver its {@code coefficients}
     * per number of evaluations), replacing an entry for the same sampler, parameters and guidance.
     */
    public ModelCard withStepSchedule(Map<String, Object> entry) {
        List<Map<String, Object>> all = new java.util.ArrayList<>();
        for (Map<String, Object> e : stepSchedules) {
            if (!(e.get("sampler").equals(entry.get("sampler")) && e.get("parameters").equals(entry.get("parameters"))
                    && TunedGuidance.same(e.get("guidance"), entry.get("guidance")))) {
                all.add(e);
            }
        }
        all.add(entry);
        return new ModelCard(kind, spec, classNames, schedule, backend, data, objective, all);
    }

    /**
     * The step schedule stored by {@link #withStepSchedule} for {@code sampler} at {@code steps}, whose
     * parameters agree with every one in {@code given} and which was tuned under {@code guidance} (its
     * type and parameters, {@code scale} included; null: unguided sampling; see {@link TunedGuidance}):
     * the full sampler parameters to use (its {@code timesteps} and stored {@code coefficients}
     * included), or null. A schedule tuned under other guidance is not used: the guided flow is another
     * ODE, and a learned solver's coefficients fit only the flow they were learned on.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> tunedSteps(String sampler, Map<String, Object> given, int steps, Map<String, Object> guidance) {
        for (Map<String, Object> e : tunedEntries(sampler, given, steps)) {
            if (TunedGuidance.same(e.get("guidance"), guidance)) {
                Map<String, Object> run = new LinkedHashMap<>((Map<String, Object>) e.get("parameters"));
                run.put("timesteps", new java.util.ArrayList<>((List<Object>) ((Map<String, Object>) e.get("timesteps")).get(String.valueOf(steps))));
                // a learned solver (bespoke) stores its coefficients per number of steps next to the times
                if (e.get("coefficients") instanceof Map<?, ?> coefficients && coefficients.containsKey(String.valueOf(steps))) {
                    run.put("coefficients", new java.util.ArrayList<>((List<Object>) coefficients.get(String.valueOf(steps))));
                }
                return run;
            }
        }
        return null;
    }

    /**
     * The guidance of every stored schedule for {@code sampler} at {@code steps} whose parameters agree
     * with {@code given}, described for a message ({@code none} for unguided): what {@link #tunedSteps}
     * could have used under another guidance.
     */
    public List<String> tunedGuidances(String sampler, Map<String, Object> given, int steps) {
        return tunedEntries(sampler, given, steps).stream().map(e -> TunedGuidance.describe(e.get("guidance"))).toList();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> tunedEntries(String sampler, Map<String, Object> given, int steps) {
        List<Map<String, Object>> found = new java.util.ArrayList<>();
        for (Map<String, Object> e : stepSchedules) {
            Map<String, Object> parameters = (Map<String, Object>) e.get("parameters");
            Map<String, Object> times = (Map<String, Object>) e.get("timesteps");
            if (!sampler.equals(e.get("sampler")) || parameters == null || times == null || !times.containsKey(String.valueOf(steps))) {
                continue;
            }
            if (given.entrySet().stream().allMatch(g -> parameters.containsKey(g.getKey())
                    && String.valueOf(parameters.get(g.getKey())).equals(String.valueOf(g.getValue())))) {
                found.add(e);
            }
        }
        return found;
    }

    /** {@code flow-matching} when the card says so. */
    public boolean flowMatching() {
        return "flow-matching".equals(objective.get("type"));
    }

    public ModelCard withObjective(Map<String, Object> description) {
        return new ModelCard(kind, spec, classNames, schedule, backend, data, description, stepSchedules);
    }

    /** A card for a network trained with {@code schedule}. */
    public static ModelCard of(String kind, NetworkSpec spec, Schedule schedule, String backend, Map<String, Object> data) {
        return new ModelCard(kind, spec, List.of(), new ComponentConfig(schedule.name(), schedule.parameters().asMap()), backend, data,
                Map.of());
    }

    public ModelCard withClassNames(List<String> names) {
        return new ModelCard(kind, spec, names, schedule, backend, data, objective, stepSchedules);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("kind", kind);
        m.put("architecture", spec.architecture());
        m.put("hyperparameters", spec.hyperparameters().asMap());
        m.put("sample_shape", java.util.Arrays.stream(spec.sampleShape()).boxed().toList());
        m.put("num_classes", spec.numClasses());
        m.put("class_names", classNames);
        m.put("parameterization", spec.parameterization().diffusersName());
        if (spec.varianceOutput() != VarianceOutput.NONE) {
            m.put("variance_output", spec.varianceOutput().key());
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", schedule.type());
        s.putAll(schedule.parameters());
        m.put("schedule", s);
        m.put("backend", backend);
        m.put("data", data);
        if (!objective.isEmpty()) {
            m.put("objective", objective);
        }
        if (!stepSchedules.isEmpty()) {
            m.put("step_schedules", stepSchedules);
        }
        return m;
    }

    public static ModelCard fromMap(Map<String, Object> map, String source) {
        Parameters p = Parameters.of(map).scoped(source);
        String format = p.getString("format", "");
        if (!format.equals(FORMAT)) {
            throw new InvalidParameterException(p.qualify("format"), format, "must be " + FORMAT + " (is this a ddpm4j model card?)");
        }
        Parameters schedule = p.getNested("schedule");
        Map<String, Object> scheduleParameters = new LinkedHashMap<>(schedule.asMap());
        Object type = scheduleParameters.remove("type");
        if (!(type instanceof String scheduleType)) {
            throw new InvalidParameterException(schedule.qualify("type"), type, "must name the schedule plugin");
        }
        NetworkSpec spec = new NetworkSpec(p.requireString("architecture"), p.requireIntArray("sample_shape"),
                p.getInt("num_classes", 0), Parameterization.parse(p.qualify("parameterization"), p.getString("parameterization", "epsilon")),
                Parameters.of(p.getNested("hyperparameters").asMap()),
                VarianceOutput.parse(p.qualify("variance_output"), p.getString("variance_output", VarianceOutput.NONE.key())));
        p.markUsed("class_names", "step_schedules");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = map.get("step_schedules") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
        List<String> names = p.has("class_names") ? ((List<?>) map.get("class_names")).stream().map(String::valueOf).toList() : List.of();
        ModelCard card = new ModelCard(p.requireString("kind"), spec, names, new ComponentConfig(scheduleType, scheduleParameters),
                p.getString("backend", "unknown"), p.getNested("data").asMap(), p.has("objective") ? objective(p) : Map.of(), steps);
        p.requireAllUsed();
        return card;
    }

    private static Map<String, Object> objective(Parameters p) {
        Parameters o = p.getNested("objective");
        o.getChoice("type", "denoising", "denoising", "flow-matching");
        o.markUsed("time_distribution");
        if (o.has("loss")) {
            org.ddpm4j.api.training.Objective.Loss.parse(o.qualify("loss"), o.getString("loss", "simple"));
        }
        o.markUsed("vlb_weight", "time_sampler");
        o.requireAllUsed();
        return o.asMap();
    }

    public static ModelCard read(Path file) {
        return fromMap(Json.readObject(file), file.toString());
    }

    /** Writes the card atomically. */
    public void write(Path file) {
        Json.write(toMap(), file);
    }
}
