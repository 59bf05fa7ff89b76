package org.ddpm4j.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of ddpm-spark (docs/ARCHITECTURE.md, "ddpm-spark"): only it knows Spark; it builds
 * pipelines through the core's composition root, never through the CLI, nor a backend's classes.
 */
class SparkArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.ddpm4j");
    }

    @Test
    void onlyThisModuleKnowsSpark() {
        noClasses().that().resideOutsideOfPackage("org.ddpm4j.spark..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..", "scala..")
                .check(classes);
    }

    @Test
    void itReachesModelsThroughTheLibraryNotTheCliNorTheBackends() {
        noClasses().that().resideInAPackage("org.ddpm4j.spark..")
                .should().dependOnClassesThat().resideInAnyPackage("org.ddpm4j.examples..", "org.ddpm4j.backend..", "org.ddpm4j.samplers..",
                        "org.ddpm4j.schedules..", "org.ddpm4j.guidance..", "ai.djl..", "org.tensorflow..", "com.google.inject..")
                .check(classes);
    }

    @Test
    void theLibraryPartKnowsNoCommandLine() {
        noClasses().that().resideInAPackage("org.ddpm4j.spark").should().dependOnClassesThat()
                .resideInAnyPackage("org.ddpm4j.spark.cli..", "picocli..").check(classes);
    }
}
