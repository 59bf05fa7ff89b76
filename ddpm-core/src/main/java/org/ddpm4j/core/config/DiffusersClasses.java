package org.ddpm4j.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.ddpm4j.toolkit.io.Json;

/**
 * What diffusers' scheduler classes read from a configuration: for each class, the keys that
 * {@code ConfigMixin.extract_init_dict} passes to its {@code __init__}, with their defaults (the table
 * {@code diffusers-scheduler-keys.json}, written by {@code tools/diffusers-reference/generate_scheduler_keys.py}
 * from diffusers' own classes). A key outside a class's set belongs to another class or another
 * diffusers version, and diffusers ignores it.
 */
final class DiffusersClasses {
    private static final String FLAX = "Flax";
    private static final Map<String, Set<String>> INIT_KEYS = load();

    private DiffusersClasses() {
    }

    /**
     * The class a configuration's {@code _class_name} loads as: a Flax class name ({@code FlaxDDIMScheduler})
     * is the PyTorch class of the same name, as diffusers loads it without Flax.
     */
    static String pytorchClass(String className) {
        return className.startsWith(FLAX) ? className.substring(FLAX.length()) : className;
    }

    /** The configuration keys class {@code className} reads; empty for a class diffusers does not have (a third-party plugin's). */
    static Optional<Set<String>> initKeys(String className) {
        return Optional.ofNullable(INIT_KEYS.get(className));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> load() {
        try (InputStream in = DiffusersClasses.class.getResourceAsStream("diffusers-scheduler-keys.json")) {
            if (in == null) {
                throw new IllegalStateException("diffusers-scheduler-keys.json is missing from the class path");
            }
            Map<String, Object> table = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8), "diffusers-scheduler-keys.json");
            Map<String, Set<String>> keys = new LinkedHashMap<>();
            ((Map<String, Object>) table.get("classes")).forEach((name, defaults) ->
                    keys.put(name, new TreeSet<>(((Map<String, Object>) defaults).keySet())));
            return Map.copyOf(keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
