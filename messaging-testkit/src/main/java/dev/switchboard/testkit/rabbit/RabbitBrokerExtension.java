package dev.switchboard.testkit.rabbit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Makes a test class depend on the shared RabbitMQ broker: before the class runs, {@link
 * RabbitBroker#requireAvailable()} fails it in CI or skips it elsewhere when the broker is missing;
 * then {@link RabbitBroker} parameters receive {@link RabbitBroker#shared()}.
 */
public final class RabbitBrokerExtension implements BeforeAllCallback, ParameterResolver {

  /** Creates the extension; JUnit does this for {@code @ExtendWith}. */
  public RabbitBrokerExtension() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    RabbitBroker.requireAvailable();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RabbitBroker.class;
  }

  @Override
  public RabbitBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return RabbitBroker.shared();
  }
}
