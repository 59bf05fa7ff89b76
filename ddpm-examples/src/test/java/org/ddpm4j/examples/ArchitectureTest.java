package org.ddpm4j.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of {@code docs/ARCHITECTURE.md} ("Rules the build enforces"), checked on the
 * compiled classes of every module (this module's test class path holds them all).
 */
class ArchitectureTest {
    private static final List<String> PLUGIN_MODULES = List.of(
            "org.ddpm4j.schedules..", "org.ddpm4j.samplers..", "org.ddpm4j.guidance..",
            "org.ddpm4j.backend.java..", "org.ddpm4j.backend.djl..", "org.ddpm4j.backend.tf..");

    /** The CLI commands that build their pipeline through the composition root (docs/ARCHITECTURE.md lists the others). */
    private static final String[] COMPOSED_COMMANDS = {"org.ddpm4j.examples.cli.SampleCommand", "org.ddpm4j.examples.cli.EditCommand",
            "org.ddpm4j.examples.cli.EvalCommand", "org.ddpm4j.examples.cli.TuneStepsCommand"};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.ddpm4j");
    }

    @Test
    void theApiDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("org.ddpm4j.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.ddpm4j.api..")
                .check(classes);
    }

    @Test
    void theToolkitDependsOnTheApiOnly() {
        classes().that().resideInAPackage("org.ddpm4j.toolkit..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.ddpm4j.api..", "org.ddpm4j.toolkit..",
                        "com.fasterxml.jackson..")
                .check(classes);
    }

    @Test
    void pluginModulesNeverDependOnEachOtherNorOnTheCore() {
        for (String module : PLUGIN_MODULES) {
            List<String> others = new java.util.ArrayList<>(PLUGIN_MODULES);
            others.remove(module);
            others.add("org.ddpm4j.core..");
            others.add("org.ddpm4j.examples..");
            ArchRule rule = noClasses().that().resideInAPackage(module)
                    .should().dependOnClassesThat().resideInAnyPackage(others.toArray(String[]::new))
                    .allowEmptyShould(true);
            rule.check(classes);
        }
    }

    @Test
    void onlyBackendsKnowDjlOrTensorFlow() {
        noClasses().that().resideOutsideOfPackages("org.ddpm4j.backend.djl..", "org.ddpm4j.backend.tf..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..", "org.tensorflow..")
                .check(classes);
        noClasses().that().resideInAPackage("org.ddpm4j.backend.djl..")
                .should().dependOnClassesThat().resideInAnyPackage("org.tensorflow..")
                .allowEmptyShould(true).check(classes);
        noClasses().that().resideInAPackage("org.ddpm4j.backend.tf..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..")
                .allowEmptyShould(true).check(classes);
    }

    @Test
    void onlyTheCoreKnowsGuice() {
        noClasses().that().resideOutsideOfPackage("org.ddpm4j.core..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..")
                .check(classes);
    }

    @Test
    void composedCommandsGetTheirPipelineFromTheCompositionRoot() {
        // they turn options into a configuration and parts (ModelSources, SamplerSource) and build no
        // backend, guidance, classifier or denoiser from the registry themselves
        noClasses().that().haveNameMatching(namesOf(COMPOSED_COMMANDS))
                .should().callMethodWhere(target(owner(assignableTo(PluginRegistry.class)))
                        .and(target(nameMatching("create(Backend|Guidance|Classifier|Denoiser)"))))
                .check(classes);
        classes().that().haveNameMatching(namesOf(COMPOSED_COMMANDS))
                .should().callMethodWhere(target(owner(assignableTo(Pipelines.class))).and(target(nameMatching("build"))))
                .check(classes);
    }

    private static String namesOf(String[] names) {
        return String.join("|", java.util.Arrays.stream(names).map(java.util.regex.Pattern::quote).toList());
    }

    @Test
    void thereAreNoPackageCycles() {
        slices().matching("org.ddpm4j.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void arrowsPointOnlyTowardTheApiAndTheToolkit() {
        // nothing below the composition root (core) and the CLI (examples) may know them
        noClasses().that().resideInAnyPackage("org.ddpm4j.api..", "org.ddpm4j.toolkit..", "org.ddpm4j.testkit..")
                .should().dependOnClassesThat().resideInAnyPackage("org.ddpm4j.core..", "org.ddpm4j.examples..",
                        "org.ddpm4j.schedules..", "org.ddpm4j.samplers..", "org.ddpm4j.guidance..", "org.ddpm4j.backend..")
                .check(classes);
        noClasses().that().resideInAPackage("org.ddpm4j.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.ddpm4j.examples..", "org.ddpm4j.schedules..",
                        "org.ddpm4j.samplers..", "org.ddpm4j.guidance..", "org.ddpm4j.backend..")
                .check(classes);
    }

    @Test
    void theExamplesLibraryNeverKnowsTheCli() {
        // the CLI parses options and calls these packages (evaluation, inpainting, metrics, plots, data), never the reverse
        noClasses().that().resideInAPackage("org.ddpm4j.examples..").and().resideOutsideOfPackage("org.ddpm4j.examples.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("org.ddpm4j.examples.cli..", "picocli..")
                .check(classes);
    }

    @Test
    void testsOfPluginModulesUseOtherPluginsOnlyThroughTheApi() {
        // a plugin's tests may run other plugins (a schedule for a sampler), but must not reach into
        // their internals: only their public entry points and the testkit
        JavaClasses tests = new ClassFileImporter().withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                .importPackages("org.ddpm4j");
        noClasses().that().resideInAnyPackage("org.ddpm4j.api..", "org.ddpm4j.toolkit..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "ai.djl..", "org.tensorflow..")
                .allowEmptyShould(true).check(tests);
        noClasses().that().resideOutsideOfPackage("org.ddpm4j.core..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..")
                .allowEmptyShould(true).check(tests);
    }
}
