package dev.switchboard.testkit.conformance;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.Transport;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link InMemoryTransport} playing the broker for a test class, registered on a static field.
 * Each {@link #create()} returns a connection of one simulated process: closing it closes only the
 * consumers and reply endpoints opened through it, as closing a client leaves a broker running.
 */
final class InMemoryBroker implements ConformanceTarget, AfterAllCallback {
  private final InMemoryTransport broker = InMemoryTransport.create();

  @Override
  public String name() {
    return broker.name();
  }

  @Override
  public Set<Capability> capabilities() {
    return broker.capabilities();
  }

  @Override
  public Duration patience() {
    return Duration.ofSeconds(15);
  }

  @Override
  public Transport create() {
    return broker.connect();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    broker.close(Duration.ofSeconds(5));
  }
}
