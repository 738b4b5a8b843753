package dev.switchboard.examples;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Transport;
import java.time.Duration;

/**
 * One {@link InMemoryTransport} shared by every simulated process of a run; each process gets its
 * own connection, so one leaving does not take the others down with it.
 */
final class MemoryBackend implements Backend {
  private final InMemoryTransport shared = InMemoryTransport.create();

  @Override
  public String description() {
    return "the in-memory transport";
  }

  @Override
  public Transport connect(String process) {
    return shared.connect();
  }

  @Override
  public Duration patience() {
    return Duration.ofSeconds(10);
  }

  @Override
  public void close() {
    shared.close(Duration.ofSeconds(2));
  }
}
