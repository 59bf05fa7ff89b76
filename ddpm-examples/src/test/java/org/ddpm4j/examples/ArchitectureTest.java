package org.ddpm4j.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.ddpm4j.api.guidance.Guidance;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
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

    /**
     * The commands that create no plugin component: the root and {@code bench} only group subcommands,
     * {@code plugins} lists the registry, {@code export} converts a checkpoint's files.
     */
    private static final String[] COMMANDS_WITHOUT_PIPELINE = {"org.ddpm4j.examples.cli.Ddpm", "org.ddpm4j.examples.cli.BenchCommand",
            "org.ddpm4j.examples.cli.PluginsCommand", "org.ddpm4j.examples.cli.ExportCommand"};

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
    void cliCommandsGetTheirComponentsFromTheCompositionRoot() {
        // options become a configuration and parts (ModelSource, SamplerChoice); Pipelines.build does the wiring
        noClasses().that().resideInAPackage("org.ddpm4j.examples.cli..")
                .and().doNotHaveFullyQualifiedName("org.ddpm4j.examples.cli.PluginsCommand")   // it lists the registry
                .should().dependOnClassesThat().areAssignableTo(PluginRegistry.class)
                .check(classes);
        // nor by hand: no backend, schedule, sampler, guidance, denoiser or classifier is constructed directly
        noClasses().that().resideInAPackage("org.ddpm4j.examples.cli..")
                .should().callConstructorWhere(target(owner(assignableTo(TensorBackend.class).or(assignableTo(Schedule.class))
                        .or(assignableTo(Sampler.class)).or(assignableTo(Guidance.class)).or(assignableTo(Denoiser.class))
                        .or(assignableTo(Classifier.class)))))
                .check(classes);
        classes().that().resideInAPackage("org.ddpm4j.examples.cli..").and().areAnnotatedWith(picocli.CommandLine.Command.class)
                .and().haveNameNotMatching(namesOf(COMMANDS_WITHOUT_PIPELINE))
                .should().callMethodWhere(target(owner(assignableTo(Pipelines.class))).and(target(nameMatching("build"))))
                .check(classes);
        // and the CLI stays thin: what two commands share lives in a library class, not in one of them
        classes().that().resideInAPackage("org.ddpm4j.examples.cli..").should(callNoOtherCommand()).check(classes);
    }

    private static ArchCondition<JavaClass> callNoOtherCommand() {
        return new ArchCondition<>("call no other command's methods") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (JavaMethodCall call : origin.getMethodCallsFromSelf()) {
                    JavaClass target = call.getTargetOwner();
                    if (target.isAnnotatedWith(picocli.CommandLine.Command.class) && !target.equals(origin)
                            && !target.getName().startsWith(origin.getName() + "$") && !origin.getName().startsWith(target.getName() + "$")) {
                        events.add(SimpleConditionEvent.violated(call, call.getDescription()));
                    }
                }
            }
        };
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
