package dev.switchboard.messaging;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of the core: it knows no adapter and no broker client, its transport SPI does not
 * lean on the in-memory transport, and its engine stays package-private. Each adapter module has
 * the mirror test: it imports no other adapter.
 */
class ArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPath(Path.of("target", "classes"));

  @Test
  void coreDependsOnNoAdapterAndNoBrokerClient() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.switchboard.kafka..",
            "dev.switchboard.rabbit..",
            "dev.switchboard.testkit..",
            "org.apache.kafka..",
            "com.rabbitmq..")
        .check(CORE);
  }

  @Test
  void theSpiDoesNotDependOnTheInMemoryTransport() {
    noClasses()
        .that()
        .resideInAPackage("dev.switchboard.messaging.spi..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.switchboard.messaging.memory..")
        .check(CORE);
  }

  @Test
  void engineClassesArePackagePrivate() {
    classes()
        .that()
        .haveSimpleNameNotEndingWith("Test")
        .and()
        .haveNameMatching(
            "dev\\.switchboard\\.messaging\\.(Attempts|ManagedConsumer|BreakerGate|Engine"
                + "|RequestClient|Responder|Payloads|DeadLettersImpl|HandlerContext|Invocation"
                + "|memory\\.Memory.*|time\\.SystemScheduler)(\\$.*)?")
        .should()
        .notHaveModifier(JavaModifier.PUBLIC)
        .check(CORE);
  }
}
