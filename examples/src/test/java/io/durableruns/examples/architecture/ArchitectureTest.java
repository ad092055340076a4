package io.durableruns.examples.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.in.SweepUseCase;
import io.durableruns.ports.out.DispatchTransport;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the module arrows of the architecture: the core and the ports see no infrastructure, adapters
 * depend on the ports only and never on each other or on the engine.
 */
class ArchitectureTest {
    private static final String[] INFRASTRUCTURE = {
        "org.jdbi..",
        "io.javalin..",
        "com.nimbusds..",
        "java.sql..",
        "javax.sql..",
        "java.net.http..",
        "org.eclipse.jetty..",
        "com.zaxxer..",
        "io.micrometer..",
        "org.postgresql..",
        "org.sqlite..",
        "com.sun.net.httpserver.."
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.durableruns");
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }

    @Test
    void the_core_and_the_ports_see_no_infrastructure() {
        check(noClasses()
                .that()
                .resideInAnyPackage("io.durableruns.core..", "io.durableruns.ports..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(INFRASTRUCTURE)
                .because("run-core and run-ports are plain Java: no JDBI, Javalin, Nimbus, JDBC or HTTP types"));
    }

    @Test
    void the_ports_do_not_depend_on_the_core() {
        check(noClasses()
                .that()
                .resideInAPackage("io.durableruns.ports..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.durableruns.core.."));
    }

    @Test
    void the_core_does_not_depend_on_adapters() {
        check(noClasses()
                .that()
                .resideInAnyPackage("io.durableruns.core..", "io.durableruns.ports..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.durableruns.jdbc..",
                        "io.durableruns.qstash..",
                        "io.durableruns.http..",
                        "io.durableruns.examples.."));
    }

    @Test
    void adapters_depend_on_the_ports_only_never_on_each_other_or_the_engine() {
        check(noClasses()
                .that()
                .resideInAPackage("io.durableruns.jdbc..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.durableruns.core..",
                        "io.durableruns.qstash..",
                        "io.durableruns.http..",
                        "io.durableruns.examples.."));
        check(noClasses()
                .that()
                .resideInAPackage("io.durableruns.qstash..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.durableruns.core..",
                        "io.durableruns.jdbc..",
                        "io.durableruns.http..",
                        "io.durableruns.examples.."));
        check(noClasses()
                .that()
                .resideInAPackage("io.durableruns.http..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.durableruns.core..",
                        "io.durableruns.jdbc..",
                        "io.durableruns.qstash..",
                        "io.durableruns.examples.."));
    }

    @Test
    void the_store_adapter_holds_no_dispatch_loop() {
        check(noClasses()
                .that()
                .resideInAPackage("io.durableruns.jdbc..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName(StepWorkerUseCase.class.getName())
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(SweepUseCase.class.getName())
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(DispatchTransport.class.getName())
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(ExecutorService.class.getName())
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(ScheduledExecutorService.class.getName())
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(BlockingQueue.class.getName())
                .because("the dispatch runtime lives in run-core; adapter-jdbc gives it only the store and the"
                        + " LISTEN/NOTIFY wake signal"));
    }

    @Test
    void the_core_and_the_ports_hold_no_queue_service_concept() {
        check(noClasses()
                .that()
                .resideInAnyPackage("io.durableruns.core..", "io.durableruns.ports..")
                .should()
                .haveSimpleNameContaining("QStash")
                .orShould()
                .haveSimpleNameContaining("Upstash")
                .orShould()
                .haveSimpleNameContaining("Redelivery")
                .because("QStash is one transport among others: its concepts live in adapter-qstash"));
    }
}
