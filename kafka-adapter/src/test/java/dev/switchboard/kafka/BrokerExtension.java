package dev.switchboard.kafka;

import dev.switchboard.testkit.kafka.KafkaBroker;
import dev.switchboard.testkit.kafka.KafkaBrokerException;
import dev.switchboard.testkit.kafka.KafkaBrokerExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies the shared Kafka broker of the test run. Where the broker cannot start, tests are
 * skipped on a developer machine and fail in CI ({@code CI=true}), so a broken broker is never
 * mistaken for a passing build.
 */
final class BrokerExtension implements ParameterResolver {
  private final KafkaBrokerExtension delegate = new KafkaBrokerExtension();

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return delegate.supportsParameter(parameter, context);
  }

  @Override
  public KafkaBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return delegate.resolveParameter(parameter, context);
    } catch (KafkaBrokerException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw e;
      }
      Assumptions.abort("no Kafka broker could be started here: " + e.getMessage());
      throw e;
    }
  }
}
