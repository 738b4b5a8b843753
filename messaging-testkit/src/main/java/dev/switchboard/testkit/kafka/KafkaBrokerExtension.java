package dev.switchboard.testkit.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies {@link KafkaBroker#shared()} to test constructors, lifecycle methods and test methods
 * that declare a {@link KafkaBroker} parameter.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class OrderTopicTest {
 *   @Test
 *   void publishes(KafkaBroker kafka) {
 *     try (var producer = new KafkaProducer<>(kafka.clientConfig(), ...)) { ... }
 *   }
 * }
 * }</pre>
 *
 * <p>The broker is started on first use and kept for the whole run: the extension registers it in
 * the root context's store, which closes it when the run ends, so it is not left for the JVM
 * shutdown hook. Tests that stop, kill or restart a broker need a private one from {@link
 * KafkaBroker#builder()}.
 */
public final class KafkaBrokerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  /** Creates the extension; JUnit does this for {@code @ExtendWith}. */
  public KafkaBrokerExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaBroker.class;
  }

  @Override
  public KafkaBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(RunScopedBroker.class, key -> new RunScopedBroker(), RunScopedBroker.class)
        .broker();
  }

  /** Ties the shared broker to the test run; the root store closes it when the run ends. */
  private static final class RunScopedBroker implements AutoCloseable {
    private final SharedKafkaBroker broker = SharedKafkaBroker.instance();

    KafkaBroker broker() {
      return broker;
    }

    @Override
    public void close() {
      broker.shutdown();
    }
  }
}
