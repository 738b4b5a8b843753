package dev.switchboard.rabbit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of the RabbitMQ adapter, mirroring the core's architecture test: it knows no other
 * adapter, and its only public types are the transport, its TLS settings, their builders and enums,
 * and its authentication error.
 */
class ArchitectureTest {
  private static final JavaClasses ADAPTER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPath(Path.of("target", "classes"));

  @Test
  void adapterDependsOnNoOtherAdapterAndNoKafkaClient() {
    noClasses()
        .that()
        .resideInAPackage("dev.switchboard.rabbit..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.switchboard.kafka..", "org.apache.kafka..")
        .check(ADAPTER);
  }

  @Test
  void onlyTheTransportTheTlsSettingsTheirBuildersEnumsAndTheAuthErrorArePublic() {
    Set<String> outers = Set.of(RabbitTransport.class.getName(), RabbitTls.class.getName());
    Set<String> named =
        Set.of(
            RabbitTransport.class.getName(),
            RabbitTransport.Builder.class.getName(),
            RabbitTls.class.getName(),
            RabbitTls.Builder.class.getName(),
            RabbitAuthenticationException.class.getName());
    DescribedPredicate<JavaClass> publicApi =
        DescribedPredicate.describe(
            "RabbitTransport, RabbitTls, their Builders and enums, or"
                + " RabbitAuthenticationException",
            c ->
                named.contains(c.getName())
                    || (c.isEnum()
                        && c.getEnclosingClass()
                            .map(outer -> outers.contains(outer.getName()))
                            .orElse(false)));
    classes()
        .that()
        .resideInAPackage("dev.switchboard.rabbit")
        .and(DescribedPredicate.not(publicApi))
        .should()
        .notHaveModifier(JavaModifier.PUBLIC)
        .check(ADAPTER);
  }
}
